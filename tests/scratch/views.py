from django.http import HttpResponse


def index(request):
    return HttpResponse("scratch")


def card(request):
    return {"greeting": "hello from scratch"}


def kpis(*, fetched_by, node, start, end, group_by=None):
    return {"node": node, "from": start, "to": end, "total": {"things": 0}}
