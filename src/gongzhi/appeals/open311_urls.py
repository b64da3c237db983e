from django.urls import path, register_converter

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
    path("services.<fmt:fmt>", open311.service_list, name="services"),
    path("services/<str:code>.<fmt:fmt>", open311.service_definition, name="service"),
    path("requests.<fmt:fmt>", open311.request_list, name="requests"),
    path("requests/<str:request_id>.<fmt:fmt>", open311.request_detail, name="request"),
    path("tokens/<str:token>.<fmt:fmt>", open311.token_detail, name="token"),
]
