"""The web client's actions the addon's buttons return: a passing notification, then what follows it."""

# What a notification may be followed by: the view reloaded, keeping its state.
SOFT_RELOAD = {"type": "ir.actions.client", "tag": "soft_reload"}


def notification(message, kind="success", then=None):
    """A passing notification of ``message`` shown as ``kind`` (success, warning, danger, info), then ``then``."""
    params = {"message": message, "type": kind, "sticky": False, **({"next": then} if then else {})}
    return {"type": "ir.actions.client", "tag": "display_notification", "params": params}
