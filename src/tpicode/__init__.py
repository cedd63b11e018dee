"""tpicode: trigger point injection notes in, defensible claim lines and findings out."""

from tpicode.errors import InputError, KnowledgeError, TpicodeError
from tpicode.knowledge import load_knowledge
from tpicode.model import BilledLine, Encounter, Result
from tpicode.pipeline import code, code_many

__version__ = "0.1.0"

__all__ = [
    "BilledLine",
    "Encounter",
    "InputError",
    "KnowledgeError",
    "Result",
    "TpicodeError",
    "__version__",
    "code",
    "code_many",
    "load_knowledge",
]
