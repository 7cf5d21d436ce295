"""The grades the city gives its upper-level unions, with their revision triggers."""

import django.core.validators
import django.db.models.deletion
import simple_history.models
from django.conf import settings
from django.db import migrations, models

from unionboard import revisions


class Migration(migrations.Migration):

    dependencies = [
        ('branches', '0005_union_search_index'),
        ('targets', '0005_indicators_reports_ratings'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='HistoricalFederationRating',
            fields=[
                ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                ('year', models.PositiveSmallIntegerField(validators=[django.core.validators.MinValueValidator(2000, 'The year must be between 2000 and 2100.'), django.core.validators.MaxValueValidator(2100, 'The year must be between 2000 and 2100.')], verbose_name='year')),
                ('grade', models.CharField(choices=[('excellent', 'Excellent'), ('good', 'Good'), ('completed', 'Completed'), ('not_completed', 'Not completed')], max_length=16, verbose_name='grade')),
                ('history_id', models.AutoField(primary_key=True, serialize=False)),
                ('history_date', models.DateTimeField(db_index=True)),
                ('history_change_reason', models.TextField(null=True)),
                ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                ('federation', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='branches.federation', verbose_name='federation')),
                ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name': 'historical federation rating',
                'verbose_name_plural': 'historical federation ratings',
                'ordering': ('-history_date', '-history_id'),
                'get_latest_by': ('history_date', 'history_id'),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name='FederationRating',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('year', models.PositiveSmallIntegerField(validators=[django.core.validators.MinValueValidator(2000, 'The year must be between 2000 and 2100.'), django.core.validators.MaxValueValidator(2100, 'The year must be between 2000 and 2100.')], verbose_name='year')),
                ('grade', models.CharField(choices=[('excellent', 'Excellent'), ('good', 'Good'), ('completed', 'Completed'), ('not_completed', 'Not completed')], max_length=16, verbose_name='grade')),
                ('federation', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='ratings', to='branches.federation', verbose_name='federation')),
            ],
            options={
                'verbose_name': 'federation rating',
                'verbose_name_plural': 'federation ratings',
                'ordering': ['-year', 'federation__name_sort'],
                'constraints': [models.UniqueConstraint(fields=('federation', 'year'), name='federation_rating_unique_per_year', violation_error_message='This federation already has a grade for that year.'), models.CheckConstraint(condition=models.Q(('grade__in', ['excellent', 'good', 'completed', 'not_completed'])), name='federation_rating_grade_valid')],
            },
        ),
        revisions.install_operation(["targets_federationrating"]),
]
