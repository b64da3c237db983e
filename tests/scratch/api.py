from ninja import Router

router = Router(tags=["scratch"])


@router.get("/scratch/hello", auth=None)
def hello(request):
    return {"hello": "scratch"}
