from . import portal, recipient_link, statement
