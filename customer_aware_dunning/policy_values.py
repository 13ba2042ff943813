"""What the policy's records show of a parsed policy: its one-line summary, and the values its mirrors share."""


def policy_summary(env, spec):
    """"3 segments, 5 delay reasons, 4 journeys": a parsed policy in a line, in ``env``'s language."""
    return env._(
        "%(segments)s segments, %(reasons)s delay reasons, %(journeys)s journeys",
        segments=len(spec.segments), reasons=len(spec.delay_reasons), journeys=len(spec.journeys),
    )


def label_values(item, sequence):
    """The values every record mirrored from the policy (segment, delay reason) shares: name, description,
    sequence."""
    return {"name": item.label, "description": item.description or False, "sequence": sequence}
