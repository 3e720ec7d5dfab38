"""File operations for the API: listings, move/copy/rename/delete with `.txt` sidecars and
collision rules, the trash, and keeping the index in step (architecture: `files/`)."""
from .disk import FileOperationFailed
from .index_sync import IndexSync
from .listing import human_size, list_folder, node_from_stat, top_media
from .operations import FileOperations
from .paths import Located, PathGate
from .trash import Trash

__all__ = ["FileOperationFailed", "FileOperations", "IndexSync", "Located", "PathGate", "Trash", "human_size",
           "list_folder", "node_from_stat", "top_media"]
