"""Table definitions: the single source of truth for the database layout.

The full-text index is not a SQLAlchemy table: on SQLite it is an FTS5 virtual
table with the trigram tokenizer, on PostgreSQL a pg_trgm GIN index over the
same text. Both are created by `migrations.py`.
"""
from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    Table,
    UniqueConstraint,
)

from .pathtext import PathText

metadata = MetaData()

# Paths and file names are PathText: text in a reversible form that also holds names
# that are not valid UTF-8 (see pathtext.py).

# Ids are BIGINT on PostgreSQL and INTEGER PRIMARY KEY (the rowid) on SQLite.
IdType = BigInteger().with_variant(Integer(), "sqlite")

images = Table(
    "images",
    metadata,
    Column("id", IdType, primary_key=True, autoincrement=True),
    Column("path", PathText, nullable=False, unique=True),
    Column("folder", PathText, nullable=False),
    Column("name", PathText, nullable=False),
    Column("size", BigInteger, nullable=False),
    Column("mtime", Float, nullable=False),
    Column("ctime", Float),
    Column("width", Integer),
    Column("height", Integer),
    Column("media_type", String(16), nullable=False),
    Column("format", String(16)),
    Column("generator", String(64)),
    Column("positive", Text, nullable=False, default=""),
    Column("negative", Text, nullable=False, default=""),
    Column("params", Text, nullable=False, default="{}"),
    # The parameter values (and extension keys) as plain text: what substring search looks
    # at instead of the JSON, which is twice as long and full of keys and hashes.
    Column("params_text", Text, nullable=False, default=""),
    Column("raw", Text, nullable=False, default=""),
    Column("fingerprint", String(40)),
    Column("rating", Integer),
    Column("indexed_at", Float, nullable=False),
    Index("ix_images_folder", "folder"),
    Index("ix_images_mtime", "mtime"),
    Index("ix_images_fingerprint", "fingerprint"),
)

folders = Table(
    "folders",
    metadata,
    Column("path", PathText, primary_key=True),
    Column("mtime", Float, nullable=False),
    Column("file_count", Integer, nullable=False, default=0),
    Column("last_scan", Float, nullable=False),
)

tags = Table(
    "tags",
    metadata,
    Column("id", IdType, primary_key=True, autoincrement=True),
    Column("name", Text, nullable=False),
    Column("type", String(64), nullable=False),
    Column("color", String(64), nullable=False, default=""),
    Column("count", Integer, nullable=False, default=0),
    UniqueConstraint("name", "type", name="uq_tags_name_type"),
    # The tag search page lists each type's most used tags: read one type's rows, not the whole
    # table (150k tags: 60 ms instead of 210 ms). Not (type, count): the indexer updates counts
    # all the time, and moving index entries cost the cold index 13 % of its writer time.
    Index("ix_tags_type", "type"),
)

image_tags = Table(
    "image_tags",
    metadata,
    Column("image_id", IdType, ForeignKey("images.id", ondelete="CASCADE"), primary_key=True),
    Column("tag_id", IdType, ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True),
    Index("ix_image_tags_tag", "tag_id", "image_id"),
    sqlite_with_rowid=False,
)

extra_paths = Table(
    "extra_paths",
    metadata,
    Column("path", PathText, primary_key=True),
    Column("types", Text, nullable=False, default=""),  # comma-separated ExtraPath types
    Column("alias", Text, nullable=False, default=""),
)

settings = Table(
    "settings",
    metadata,
    Column("key", String(255), primary_key=True),
    Column("value", Text, nullable=False),
)

index_runs = Table(
    "index_runs",
    metadata,
    Column("id", IdType, primary_key=True, autoincrement=True),
    Column("started_at", Float, nullable=False),
    Column("finished_at", Float),
    Column("status", String(16), nullable=False),  # running | completed | cancelled | interrupted | error
    Column("seen", Integer, nullable=False, default=0),
    Column("parsed", Integer, nullable=False, default=0),
    Column("written", Integer, nullable=False, default=0),
    Column("deleted", Integer, nullable=False, default=0),
    Column("moved", Integer, nullable=False, default=0),
    Column("warnings", Integer, nullable=False, default=0),
    Column("message", Text),
)

# Custom tags and ratings of files that left the index, kept by content fingerprint so a
# file that comes back (moved out of the roots and in again, renamed by another tool)
# gets them back.
orphaned_marks = Table(
    "orphaned_marks",
    metadata,
    Column("fingerprint", String(40), primary_key=True),
    Column("tag_ids", Text, nullable=False, default=""),  # comma-separated custom tag ids
    Column("rating", Integer),
    Column("orphaned_at", Float, nullable=False),
)

# -- semantic layer (iib_core/ai) -------------------------------------------------------
# One prompt vector per image and embedding model. `text_hash` is
# sha256(f"{normalize_version}:{prompt_text}"): a row whose hash still matches is not
# embedded again. `vec` is a little-endian float16 ("f2") or float32 ("f4") blob of an
# L2-normalised vector; a NULL `vec` with `error` set remembers a batch the provider
# refused, skipped until the text changes or `force` is given.
image_embedding = Table(
    "image_embedding",
    metadata,
    Column("image_id", IdType, ForeignKey("images.id", ondelete="CASCADE"), primary_key=True),
    Column("model", String(255), primary_key=True),
    Column("text_hash", String(64), nullable=False),
    Column("dim", Integer, nullable=False, default=0),
    Column("dtype", String(4), nullable=False, default="f2"),
    Column("vec", LargeBinary),
    Column("error", Text),
    Column("updated_at", Float, nullable=False),
    Index("ix_image_embedding_model_updated", "model", "updated_at"),
)

# Titles and keywords of one cluster, keyed by cluster_hash (members, models, threshold,
# min size, language, normalisation fingerprint). `method` is "llm" or "keywords".
topic_title_cache = Table(
    "topic_title_cache",
    metadata,
    Column("cluster_hash", String(64), primary_key=True),
    Column("title", Text, nullable=False),
    Column("keywords", Text, nullable=False, default="[]"),  # JSON list of strings
    Column("model", String(255), nullable=False, default=""),
    Column("lang", String(16), nullable=False, default=""),
    Column("method", String(16), nullable=False, default="llm"),
    Column("created_at", Float, nullable=False),
)

# Whole clustering results, keyed by the folder list and parameters.
topic_cluster_cache = Table(
    "topic_cluster_cache",
    metadata,
    Column("cache_key", String(64), primary_key=True),
    Column("folders", Text, nullable=False),  # JSON list
    Column("params", Text, nullable=False),  # JSON object
    Column("result", Text, nullable=False),  # JSON ClusterResult
    Column("state", Text, nullable=False, default="{}"),  # JSON: embeddings and folder state when stored
    Column("updated_at", Float, nullable=False),
    Index("ix_topic_cluster_cache_updated", "updated_at"),
)

CUSTOM_TAG_TYPE = "custom"
