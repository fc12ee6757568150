"""autodiff: differentiate a math expression from the command line."""

from autodiff_cli.value import Value

__version__ = "0.1.0"
__all__ = ["Value", "__version__"]
