import django.db.models.deletion
from django.db import migrations, models
import modelsearch.index


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("wagtailcore", "0098_apitoken"),
        ("forum", "0011_auto_20190627_2132"),
        ("forum_conversation", "0013_auto_20201220_1745"),
        ("kb", "0001_initial"),
        ("notices", "0001_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name="SearchDocument",
            fields=[
                ("id", models.AutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("kind", models.CharField(choices=[("guide", "Guides"), ("notice", "Actualités"), ("forum", "Forum"), ("page", "Pages")], db_index=True, max_length=10, verbose_name="type")),
                ("approved", models.BooleanField(default=True, verbose_name="visible")),
                ("is_topic_head", models.BooleanField(default=False)),
                ("solved", models.BooleanField(default=False, verbose_name="résolu")),
                ("archived", models.BooleanField(default=False, verbose_name="archivé")),
                ("title", models.CharField(max_length=512, verbose_name="titre")),
                ("body", models.TextField(blank=True, verbose_name="texte")),
                ("context", models.TextField(blank=True, verbose_name="contexte")),
                ("url", models.CharField(max_length=1024, verbose_name="adresse")),
                ("date", models.DateTimeField(db_index=True, verbose_name="date")),
                ("indexed_at", models.DateTimeField(auto_now=True)),
                ("domains", models.ManyToManyField(blank=True, related_name="+", to="kb.domain")),
                ("forum", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name="+", to="forum.forum")),
                ("page", models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name="search_document", to="wagtailcore.page")),
                ("post", models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name="search_document", to="forum_conversation.post")),
                ("source", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+", to="notices.source")),
                ("topic", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name="+", to="forum_conversation.topic")),
            ],
            options={
                "verbose_name": "document de recherche",
                "verbose_name_plural": "documents de recherche",
                "indexes": [models.Index(fields=["forum", "approved"], name="search_sear_forum_i_75021f_idx")],
            },
            bases=(modelsearch.index.Indexed, models.Model),
        ),
    ]
