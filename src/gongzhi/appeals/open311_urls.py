"""/open311/: the discovery document and GeoReport v2 under v2/; anything else answers the spec's 404."""

from django.urls import path, re_path, register_converter

from gongzhi.appeals import open311


class FormatConverter:
    regex = "json|xml"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(FormatConverter, "fmt")

app_name = "open311"
urlpatterns = [
    path("discovery.<fmt:fmt>", open311.discovery, name="discovery"),
    path("v2/discovery.<fmt:fmt>", open311.discovery, name="discovery-v2"),
    path("v2/services.<fmt:fmt>", open311.service_list, name="services"),
    path("v2/services/<str:code>.<fmt:fmt>", open311.service_definition, name="service"),
    path("v2/requests.<fmt:fmt>", open311.request_list, name="requests"),
    path("v2/requests/<str:request_id>.<fmt:fmt>", open311.request_detail, name="request"),
    path("v2/tokens/<str:token>.<fmt:fmt>", open311.token_detail, name="token"),
    re_path(r"^(?P<rest>.*)$", open311.not_found),
]
