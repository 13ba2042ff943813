from . import portal, statement
