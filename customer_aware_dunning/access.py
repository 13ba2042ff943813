"""Who may do what in collections: the addon's two groups and the one check every model uses.

Not a model: the models import it. Superuser work (the daily run, data loading) always passes.
"""

from odoo.exceptions import AccessError

MANAGER_GROUP = "customer_aware_dunning.group_collections_manager"
USER_GROUP = "customer_aware_dunning.group_collections_user"


def is_collections_manager(env):
    return env.su or env.user.has_group(MANAGER_GROUP)


def check_collections_manager(env, message):
    """Raise ``AccessError(message)`` unless the environment's user is a Collections manager."""
    if not is_collections_manager(env):
        raise AccessError(message)
