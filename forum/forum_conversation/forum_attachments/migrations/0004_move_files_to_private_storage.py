"""Move the attachments machina stored in the public media root to the private storage, under
random names (``forum.forum_conversation.forum_attachments.storage``)."""

from django.db import migrations


def forwards(apps, schema_editor):
    from forum.forum_conversation.forum_attachments.storage import move_to_private_storage

    move_to_private_storage(apps.get_model("forum_attachments", "Attachment"), log=print)


class Migration(migrations.Migration):
    dependencies = [("forum_attachments", "0003_private_storage")]

    # Backwards: the files stay private (nothing should ever put them back under /media/).
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
