def load(ctx):
    ctx.progress("scratch")
    return {"scratch_things": 3}
