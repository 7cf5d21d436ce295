"""Indicators as data: the built-ins, quotas of any indicator (a target or a rate, weighted),
reported figures and union ratings. Every existing quota keeps its code in `metric`."""

import django.core.validators
import django.db.models.deletion
import django.utils.timezone
import simple_history.models
from decimal import Decimal
from django.conf import settings
from django.db import migrations, models

from unionboard import revisions

# code, Vietnamese name, English name, unit, source, order
BUILT_IN = [
    ("new_members", "Kết nạp đoàn viên", "New members", "people", "counted", 10),
    ("new_unions", "Thành lập công đoàn cơ sở", "New grassroots unions", "unions", "counted", 20),
    ("rated_good_share", "CĐCS xếp loại tốt, xuất sắc", "Grassroots unions rated good or excellent",
     "percent", "counted", 30),
    ("party_referrals", "Giới thiệu đoàn viên ưu tú cho Đảng", "Members referred to the Party",
     "people", "reported", 40),
    ("party_admissions", "Đoàn viên được kết nạp Đảng", "Members admitted to the Party", "people", "reported", 50),
    ("officers_trained", "Cán bộ công đoàn được tập huấn", "Union officers trained", "people", "reported", 60),
    ("training_sessions", "Buổi tuyên truyền, tập huấn", "Training and outreach sessions", "sessions",
     "reported", 70),
    ("session_participants", "Lượt đoàn viên, người lao động được tuyên truyền",
     "Members and workers reached by the sessions", "people", "reported", 75),
    ("collective_agreements", "Thỏa ước lao động tập thể", "Collective agreements", "agreements",
     "reported", 80),
    ("workers_conferences", "Hội nghị người lao động", "Workers' conferences", "sessions", "reported", 90),
    ("welfare_agreements", "Thỏa thuận hợp tác phúc lợi", "Welfare agreements", "agreements", "reported", 100),
    ("welfare_beneficiaries", "Đoàn viên hưởng phúc lợi", "Members benefiting from welfare agreements",
     "people", "reported", 110),
    ("welfare_value", "Giá trị phúc lợi", "Value of the welfare benefits", "dong", "reported", 120),
]


def create_built_in(apps, schema_editor):
    Indicator = apps.get_model("targets", "Indicator")
    for code, name_vi, name_en, unit, source, order in BUILT_IN:
        Indicator.objects.get_or_create(
            code=code,
            defaults={"name_vi": name_vi, "name_en": name_en, "unit": unit, "source": source, "order": order},
        )


def remove_built_in(apps, schema_editor):
    apps.get_model("targets", "Indicator").objects.filter(code__in=[row[0] for row in BUILT_IN]).delete()




class Migration(migrations.Migration):

    dependencies = [
        ('branches', '0005_union_search_index'),
        ('targets', '0004_quota_rules_as_validators'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='HistoricalIndicator',
            fields=[
                ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                ('code', models.CharField(db_index=True, max_length=40, validators=[django.core.validators.RegexValidator('^[a-z][a-z0-9_]*$', 'Lower-case letters, digits and _ only.')], verbose_name='code')),
                ('name_vi', models.CharField(max_length=200, verbose_name='Vietnamese name')),
                ('name_en', models.CharField(max_length=200, verbose_name='English name')),
                ('unit', models.CharField(choices=[('people', 'people'), ('unions', 'unions'), ('sessions', 'sessions'), ('agreements', 'agreements'), ('dong', 'đồng'), ('percent', 'percent')], max_length=12, verbose_name='unit')),
                ('source', models.CharField(choices=[('counted', 'Counted from records'), ('reported', 'Reported by the federation')], default='reported', max_length=12, verbose_name='source')),
                ('order', models.PositiveSmallIntegerField(default=100, verbose_name='order on the pages')),
                ('active', models.BooleanField(default=True, verbose_name='active')),
                ('history_id', models.AutoField(primary_key=True, serialize=False)),
                ('history_date', models.DateTimeField(db_index=True)),
                ('history_change_reason', models.TextField(null=True)),
                ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
            ],
            options={
                'verbose_name': 'historical indicator',
                'verbose_name_plural': 'historical indicators',
                'ordering': ('-history_date', '-history_id'),
                'get_latest_by': ('history_date', 'history_id'),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name='HistoricalReport',
            fields=[
                ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                ('as_of', models.DateField(verbose_name='as of')),
                ('value', models.BigIntegerField(verbose_name='value')),
                ('entered_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='entered at')),
                ('history_id', models.AutoField(primary_key=True, serialize=False)),
                ('history_date', models.DateTimeField(db_index=True)),
                ('history_change_reason', models.TextField(null=True)),
                ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
            ],
            options={
                'verbose_name': 'historical report',
                'verbose_name_plural': 'historical reports',
                'ordering': ('-history_date', '-history_id'),
                'get_latest_by': ('history_date', 'history_id'),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name='HistoricalUnionRating',
            fields=[
                ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                ('year', models.PositiveSmallIntegerField(validators=[django.core.validators.MinValueValidator(2000, 'The year must be between 2000 and 2100.'), django.core.validators.MaxValueValidator(2100, 'The year must be between 2000 and 2100.')], verbose_name='year')),
                ('grade', models.CharField(choices=[('excellent', 'Excellent'), ('good', 'Good'), ('completed', 'Completed'), ('not_completed', 'Not completed')], max_length=16, verbose_name='grade')),
                ('history_id', models.AutoField(primary_key=True, serialize=False)),
                ('history_date', models.DateTimeField(db_index=True)),
                ('history_change_reason', models.TextField(null=True)),
                ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
            ],
            options={
                'verbose_name': 'historical union rating',
                'verbose_name_plural': 'historical union ratings',
                'ordering': ('-history_date', '-history_id'),
                'get_latest_by': ('history_date', 'history_id'),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name='Indicator',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('code', models.CharField(max_length=40, unique=True, validators=[django.core.validators.RegexValidator('^[a-z][a-z0-9_]*$', 'Lower-case letters, digits and _ only.')], verbose_name='code')),
                ('name_vi', models.CharField(max_length=200, verbose_name='Vietnamese name')),
                ('name_en', models.CharField(max_length=200, verbose_name='English name')),
                ('unit', models.CharField(choices=[('people', 'people'), ('unions', 'unions'), ('sessions', 'sessions'), ('agreements', 'agreements'), ('dong', 'đồng'), ('percent', 'percent')], max_length=12, verbose_name='unit')),
                ('source', models.CharField(choices=[('counted', 'Counted from records'), ('reported', 'Reported by the federation')], default='reported', max_length=12, verbose_name='source')),
                ('order', models.PositiveSmallIntegerField(default=100, verbose_name='order on the pages')),
                ('active', models.BooleanField(default=True, verbose_name='active')),
            ],
            options={
                'verbose_name': 'indicator',
                'verbose_name_plural': 'indicators',
                'ordering': ['order', 'code'],
            },
        ),
        migrations.RunPython(create_built_in, remove_built_in),
        migrations.CreateModel(
            name='Report',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('as_of', models.DateField(verbose_name='as of')),
                ('value', models.BigIntegerField(verbose_name='value')),
                ('entered_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='entered at')),
            ],
            options={
                'verbose_name': 'report',
                'verbose_name_plural': 'reports',
                'ordering': ['federation__code', 'indicator__order', '-as_of'],
            },
        ),
        migrations.CreateModel(
            name='UnionRating',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('year', models.PositiveSmallIntegerField(validators=[django.core.validators.MinValueValidator(2000, 'The year must be between 2000 and 2100.'), django.core.validators.MaxValueValidator(2100, 'The year must be between 2000 and 2100.')], verbose_name='year')),
                ('grade', models.CharField(choices=[('excellent', 'Excellent'), ('good', 'Good'), ('completed', 'Completed'), ('not_completed', 'Not completed')], max_length=16, verbose_name='grade')),
            ],
            options={
                'verbose_name': 'union rating',
                'verbose_name_plural': 'union ratings',
                'ordering': ['-year', 'union__code'],
            },
        ),
        migrations.RemoveConstraint(
            model_name='quota',
            name='quota_target_positive',
        ),
        migrations.RemoveConstraint(
            model_name='quota',
            name='quota_metric_valid',
        ),
        migrations.AddField(
            model_name='historicalquota',
            name='rate',
            field=models.DecimalField(blank=True, decimal_places=3, help_text='A norm instead of a number: the target is this many per active grassroots union.', max_digits=8, null=True, validators=[django.core.validators.MinValueValidator(Decimal('0.001'), 'The rate must be above zero.')], verbose_name='rate per grassroots union'),
        ),
        migrations.AddField(
            model_name='historicalquota',
            name='weight',
            field=models.DecimalField(decimal_places=2, default=Decimal('1'), help_text='1 unless the emulation scorecard weighs this indicator otherwise; 0 shows it unscored.', max_digits=5, validators=[django.core.validators.MinValueValidator(0, 'The weight cannot be negative.')], verbose_name='weight in the score'),
        ),
        migrations.AddField(
            model_name='quota',
            name='rate',
            field=models.DecimalField(blank=True, decimal_places=3, help_text='A norm instead of a number: the target is this many per active grassroots union.', max_digits=8, null=True, validators=[django.core.validators.MinValueValidator(Decimal('0.001'), 'The rate must be above zero.')], verbose_name='rate per grassroots union'),
        ),
        migrations.AddField(
            model_name='quota',
            name='weight',
            field=models.DecimalField(decimal_places=2, default=Decimal('1'), help_text='1 unless the emulation scorecard weighs this indicator otherwise; 0 shows it unscored.', max_digits=5, validators=[django.core.validators.MinValueValidator(0, 'The weight cannot be negative.')], verbose_name='weight in the score'),
        ),
        migrations.AlterField(
            model_name='historicalquota',
            name='target',
            field=models.IntegerField(blank=True, null=True, validators=[django.core.validators.MinValueValidator(1, 'The target must be a positive whole number.')], verbose_name='target'),
        ),
        migrations.AlterField(
            model_name='quota',
            name='target',
            field=models.IntegerField(blank=True, null=True, validators=[django.core.validators.MinValueValidator(1, 'The target must be a positive whole number.')], verbose_name='target'),
        ),
        migrations.AddField(
            model_name='historicalindicator',
            name='history_user',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='historicalreport',
            name='entered_by',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='entered by'),
        ),
        migrations.AddField(
            model_name='historicalreport',
            name='federation',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='branches.federation', verbose_name='federation'),
        ),
        migrations.AddField(
            model_name='historicalreport',
            name='history_user',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='historicalunionrating',
            name='history_user',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='historicalunionrating',
            name='union',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='branches.grassrootsunion', verbose_name='grassroots union'),
        ),
        migrations.AddConstraint(
            model_name='indicator',
            constraint=models.CheckConstraint(condition=models.Q(('unit__in', ['people', 'unions', 'sessions', 'agreements', 'dong', 'percent'])), name='indicator_unit_valid'),
        ),
        migrations.AddConstraint(
            model_name='indicator',
            constraint=models.CheckConstraint(condition=models.Q(('source__in', ['counted', 'reported'])), name='indicator_source_valid'),
        ),
        migrations.AddField(
            model_name='historicalreport',
            name='indicator',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='targets.indicator', verbose_name='indicator'),
        ),
        migrations.AlterField(
            model_name='historicalquota',
            name='metric',
            field=models.ForeignKey(blank=True, db_column='metric', db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='targets.indicator', to_field='code', verbose_name='indicator'),
        ),
        migrations.AlterField(
            model_name='quota',
            name='metric',
            field=models.ForeignKey(db_column='metric', on_delete=django.db.models.deletion.PROTECT, related_name='quotas', to='targets.indicator', to_field='code', verbose_name='indicator'),
        ),
        migrations.AddConstraint(
            model_name='quota',
            constraint=models.CheckConstraint(condition=models.Q(('target__isnull', True), ('target__gt', 0), _connector='OR'), name='quota_target_positive', violation_error_message='The target must be a positive whole number.'),
        ),
        migrations.AddConstraint(
            model_name='quota',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('rate__gt', 0), ('target__isnull', True)), models.Q(('rate__isnull', True), ('target__isnull', False)), _connector='OR'), name='quota_target_or_rate', violation_error_message='Give either a target or a rate per grassroots union, not both.'),
        ),
        migrations.AddConstraint(
            model_name='quota',
            constraint=models.CheckConstraint(condition=models.Q(('weight__gte', 0)), name='quota_weight_not_negative'),
        ),
        migrations.AddField(
            model_name='report',
            name='entered_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='entered by'),
        ),
        migrations.AddField(
            model_name='report',
            name='federation',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='reports', to='branches.federation', verbose_name='federation'),
        ),
        migrations.AddField(
            model_name='report',
            name='indicator',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='reports', to='targets.indicator', verbose_name='indicator'),
        ),
        migrations.AddField(
            model_name='unionrating',
            name='union',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='ratings', to='branches.grassrootsunion', verbose_name='grassroots union'),
        ),
        migrations.AddIndex(
            model_name='report',
            index=models.Index(fields=['federation', 'as_of'], name='report_federation_date_idx'),
        ),
        migrations.AddConstraint(
            model_name='report',
            constraint=models.UniqueConstraint(fields=('federation', 'indicator', 'as_of'), name='report_unique_per_date', violation_error_message='This federation already reported that indicator on that date.'),
        ),
        migrations.AddConstraint(
            model_name='report',
            constraint=models.CheckConstraint(condition=models.Q(('value__gte', 0)), name='report_value_not_negative'),
        ),
        migrations.AddIndex(
            model_name='unionrating',
            index=models.Index(fields=['year', 'union'], name='rating_year_union_idx'),
        ),
        migrations.AddConstraint(
            model_name='unionrating',
            constraint=models.UniqueConstraint(fields=('union', 'year'), name='rating_unique_per_year', violation_error_message='This union already has a grade for that year.'),
        ),
        migrations.AddConstraint(
            model_name='unionrating',
            constraint=models.CheckConstraint(condition=models.Q(('grade__in', ['excellent', 'good', 'completed', 'not_completed'])), name='rating_grade_valid'),
        ),
    # SQLite rebuilt the quotas table above, dropping its triggers: install them again,
    # and on the new tables a report moves (its federation, its year), a rating (its union's
    # federation, its year), an indicator every page.
    revisions.install_operation(["targets_quota", "targets_report", "targets_unionrating", "targets_indicator"]),
]
