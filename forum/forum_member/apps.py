from machina.apps.forum_member.apps import ForumMemberAppConfig as MachinaForumMemberAppConfig


class ForumMemberAppConfig(MachinaForumMemberAppConfig):
    """machina's member pages, counting and listing only what the reader may read."""

    name = "forum.forum_member"
    default = True  # machina's config is imported here too
