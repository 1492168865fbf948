import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('classrooms', '0001_initial'),
    ]

    operations = [
        migrations.CreateModel(
            name='Lecture',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('title', models.CharField(max_length=200)),
                ('source', models.CharField(choices=[('upload', 'Upload'), ('live', 'Live')], default='upload', max_length=10)),
                ('status', models.CharField(choices=[('uploaded', 'Uploaded'), ('queued', 'Queued'), ('processing', 'Processing'), ('live', 'Live'), ('done', 'Done'), ('failed', 'Failed')], db_index=True, default='uploaded', max_length=12)),
                ('progress', models.FloatField(default=0.0)),
                ('error', models.TextField(blank=True)),
                ('video_file', models.CharField(blank=True, max_length=255)),
                ('video_name', models.CharField(blank=True, max_length=255)),
                ('video_bytes', models.BigIntegerField(default=0)),
                ('keep_video', models.BooleanField(default=False)),
                ('duration', models.FloatField(blank=True, null=True)),
                ('fps', models.FloatField(blank=True, null=True)),
                ('width', models.IntegerField(blank=True, null=True)),
                ('height', models.IntegerField(blank=True, null=True)),
                ('task_id', models.CharField(blank=True, max_length=64)),
                ('attempts', models.IntegerField(default=0)),
                ('created_at', models.DateTimeField(auto_now_add=True, db_index=True)),
                ('started_at', models.DateTimeField(blank=True, null=True)),
                ('heartbeat_at', models.DateTimeField(blank=True, null=True)),
                ('finished_at', models.DateTimeField(blank=True, null=True)),
                ('summary', models.JSONField(blank=True, default=dict)),
                ('charts', models.TextField(blank=True)),
                ('live_worker', models.CharField(blank=True, max_length=255)),
                ('live_connections', models.IntegerField(default=0)),
                ('last_frame_at', models.DateTimeField(blank=True, null=True)),
                ('frames_received', models.IntegerField(default=0)),
                ('frames_analysed', models.IntegerField(default=0)),
                ('frames_dropped', models.IntegerField(default=0)),
                ('frames_rejected', models.IntegerField(default=0)),
                ('classroom', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='lectures', to='classrooms.classroom')),
            ],
            options={
                'ordering': ['-created_at'],
            },
        ),
        migrations.CreateModel(
            name='ExpressionEvent',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('track', models.IntegerField()),
                ('onset', models.FloatField()),
                ('apex', models.FloatField()),
                ('offset', models.FloatField()),
                ('duration', models.FloatField()),
                ('kind', models.CharField(max_length=8)),
                ('label', models.CharField(blank=True, max_length=12)),
                ('strength', models.FloatField()),
                ('lecture', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='events', to='lectures.lecture')),
            ],
            options={
                'indexes': [models.Index(fields=['lecture', 'onset'], name='lectures_ex_lecture_814557_idx')],
            },
        ),
        migrations.CreateModel(
            name='SecondStat',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('second', models.IntegerField()),
                ('faces_present', models.FloatField(default=0.0)),
                ('readable', models.FloatField(default=0.0)),
                ('facing', models.FloatField(null=True)),
                ('perclos', models.FloatField(null=True)),
                ('blinks', models.IntegerField(default=0)),
                ('engagement', models.FloatField(null=True)),
                ('angry', models.FloatField(null=True)),
                ('disgust', models.FloatField(null=True)),
                ('fear', models.FloatField(null=True)),
                ('happy', models.FloatField(null=True)),
                ('sad', models.FloatField(null=True)),
                ('surprise', models.FloatField(null=True)),
                ('neutral', models.FloatField(null=True)),
                ('lecture', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='seconds', to='lectures.lecture')),
            ],
            options={
                'constraints': [models.UniqueConstraint(fields=('lecture', 'second'), name='one_row_per_second')],
            },
        ),
        migrations.CreateModel(
            name='TrackStat',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('track', models.IntegerField()),
                ('first_time', models.FloatField()),
                ('last_time', models.FloatField()),
                ('frames', models.IntegerField()),
                ('readable_frames', models.IntegerField()),
                ('blinks', models.IntegerField(default=0)),
                ('blink_rate', models.FloatField(null=True)),
                ('perclos', models.FloatField(null=True)),
                ('facing', models.FloatField(null=True)),
                ('engagement', models.FloatField(null=True)),
                ('dominant', models.CharField(blank=True, max_length=12)),
                ('emotion_mix', models.JSONField(default=dict)),
                ('timeline', models.JSONField(default=list)),
                ('lecture', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='tracks', to='lectures.lecture')),
            ],
            options={
                'constraints': [models.UniqueConstraint(fields=('lecture', 'track'), name='one_row_per_track')],
            },
        ),
    ]
