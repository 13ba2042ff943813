from . import dunning_case_close
