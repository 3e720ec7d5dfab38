"""The semantic layer: prompt embeddings, topic clustering, titles, natural-language search,
the tag graph and smart organisation (docs/api.md, "AI routes").

Every answer comes from a real model: an OpenAI-compatible provider (`client.py`) or a
local sentence-transformers model (`local.py`). A provider failure or an answer outside
the contract is an error that reaches the user; nothing here invents a result. Titles
without a chat model come from keyword extraction and say so (`method: "keywords"`).
"""
