"""`shared.opts` and `shared.OptionInfo` as the extension uses them.

Values live in `opts.data` (what config.json holds); options an extension adds in
on_ui_settings are described in `data_labels`, and reading an unset option through
attribute access gives its default, as in A1111.
"""
import json
import os


class OptionInfo:
    def __init__(self, default=None, label="", component=None, component_args=None, onchange=None,
                 section=None, refresh=None, comment_before="", comment_after="", infotext=None,
                 restrict_api=False, category_id=None):
        self.default = default
        self.label = label
        self.component = component
        self.component_args = component_args
        self.onchange = onchange
        self.section = section
        self.refresh = refresh
        self.restrict_api = restrict_api
        self.category_id = category_id


class Options:
    def __init__(self, data_labels):
        super().__setattr__("data_labels", dict(data_labels))
        super().__setattr__("data", {k: v.default for k, v in data_labels.items()})

    def __setattr__(self, key, value):
        if key in ("data", "data_labels"):
            return super().__setattr__(key, value)
        self.data[key] = value

    def __getattr__(self, item):
        data = self.__dict__.get("data", {})
        if item in data:
            return data[item]
        labels = self.__dict__.get("data_labels", {})
        if item in labels:
            return labels[item].default
        raise AttributeError(item)

    def add_option(self, key, info):
        if not isinstance(info, OptionInfo):
            raise TypeError("add_option expects an OptionInfo")
        section = info.section
        if section is not None and not (isinstance(section, tuple) and len(section) in (2, 3)):
            raise ValueError(f"option {key}: section must be a (id, label) tuple, got {section!r}")
        self.data_labels[key] = info
        if key not in self.data:
            self.data[key] = info.default

    def load(self, filename):
        if os.path.isfile(filename):
            with open(filename, encoding="utf8") as f:
                self.data.update(json.load(f))

    def save(self, filename):
        with open(filename, "w", encoding="utf8") as f:
            json.dump(self.data, f, indent=2)

    def sections(self):
        out = {}
        for key, info in self.data_labels.items():
            if info.section is not None:
                out.setdefault("/".join(info.section[:2]), []).append(key)
        return out
