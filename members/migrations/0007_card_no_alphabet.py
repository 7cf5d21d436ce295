# Card numbers get an alphabet (members.models.CARD_NO_PATTERN), checked by the database.
#
# A card number already stored outside it (a "/" made the member's page impossible to link,
# and the list and the union page answered 500) is first given one inside it, with a row in
# the member's history saying what it was, and a line on the migration's output.

import re
import sys
import unicodedata

from django.db import migrations, models
from django.utils import timezone

import members.models
from members import tally
from unionboard import revisions

# As in members.models when this migration was written (a migration keeps its own copy).
PATTERN = r"\A[A-Za-z0-9][A-Za-z0-9.-]*\Z"
RESERVED = ("new",)
MAX_LENGTH = 32
REASON = "card number outside the alphabet (letters, digits, - and .): was %r"


def repaired(card_no: str, pk: int, taken) -> str:
    """The card number in the alphabet: accents dropped, other characters become "-"; the
    member's id is appended when that is empty, reserved or already someone's."""
    text = unicodedata.normalize("NFKD", card_no.replace("đ", "d").replace("Đ", "D"))
    text = "".join(char for char in text if not unicodedata.combining(char))
    text = re.sub(r"[^A-Za-z0-9.-]+", "-", text)
    text = re.sub(r"^[.-]+", "", text)[:MAX_LENGTH]
    if text and text not in RESERVED and not taken(text):
        return text
    suffix = f"-{pk}"
    return (re.sub(r"^[.-]+", "", text[: MAX_LENGTH - len(suffix)]) or "M") + suffix


def repair_card_numbers(apps, schema_editor):
    Member = apps.get_model("members", "Member")
    HistoricalMember = apps.get_model("members", "HistoricalMember")
    db = schema_editor.connection.alias
    outside = Member.objects.using(db).filter(~models.Q(card_no__regex=PATTERN) | models.Q(card_no__in=RESERVED))
    given: set[str] = set()

    def taken(candidate: str) -> bool:
        return candidate in given or Member.objects.using(db).filter(card_no=candidate).exists()

    history_fields = [field.attname for field in HistoricalMember._meta.fields
                      if not field.name.startswith("history_") and field.attname != "history_id"]
    for member in outside.order_by("pk"):
        old = member.card_no
        new = repaired(old, member.pk, taken)
        given.add(new)
        Member.objects.using(db).filter(pk=member.pk).update(card_no=new)
        member.card_no = new
        HistoricalMember.objects.using(db).create(
            **{name: getattr(member, name) for name in history_fields},
            history_date=timezone.now(), history_type="~", history_change_reason=REASON % old,
        )
        sys.stdout.write(f"\n  members: card number {old!r} (member id {member.pk}) is now {new!r}")


def reinstall_triggers(apps, schema_editor):
    """SQLite adds a check constraint by copying the table, which drops its triggers: put back
    the admission tally's and the data revisions' (on PostgreSQL this re-creates them as they were)."""
    tally.install(schema_editor.connection)
    revisions.install(schema_editor.connection, ["members_member"])


class Migration(migrations.Migration):

    dependencies = [
        ('branches', '0003_move_data_revision'),
        ('members', '0006_member_left_reason'),
    ]

    operations = [
        # Backwards, the constraint's removal copies the table too: the triggers come back last.
        migrations.RunPython(migrations.RunPython.noop, reinstall_triggers),
        migrations.RunPython(repair_card_numbers, migrations.RunPython.noop),
        migrations.AlterField(
            model_name='historicalmember',
            name='card_no',
            field=models.CharField(db_index=True, max_length=32, validators=[members.models.validate_card_no], verbose_name='card number'),
        ),
        migrations.AlterField(
            model_name='member',
            name='card_no',
            field=models.CharField(max_length=32, unique=True, validators=[members.models.validate_card_no], verbose_name='card number'),
        ),
        migrations.AddConstraint(
            model_name='member',
            constraint=models.CheckConstraint(condition=models.Q(('card_no__regex', '\\A[A-Za-z0-9][A-Za-z0-9.-]*\\Z'), models.Q(('card_no__in', ('new',)), _negated=True)), name='member_card_no_alphabet', violation_error_message='A card number holds only letters without accents, digits, “-” and “.”, and starts with a letter or a digit.'),
        ),
        migrations.RunPython(reinstall_triggers, migrations.RunPython.noop),
    ]
