# The per-entity two-factor authentication policy (issue 7, section 4).

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0003_login_throttle'),
    ]

    operations = [
        migrations.AddField(
            model_name='legalentity',
            name='two_factor_policy',
            field=models.CharField(choices=[('optional', 'Optional for everyone'), ('admins_accountants', 'Required for administrators and accountants'), ('everyone', 'Required for every member')], default='optional', max_length=20, verbose_name='two-factor authentication'),
        ),
    ]
