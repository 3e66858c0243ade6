from django.apps import AppConfig


class FrontCacheConfig(AppConfig):
    name = "passerelle.frontcache"
    label = "frontcache"
    verbose_name = "Cache frontal"

    def ready(self):
        from passerelle.frontcache import receivers

        receivers.connect()
        receivers.connect_page_cache()
