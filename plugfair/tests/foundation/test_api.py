"""The public surface: ``plugfair.api`` exports exactly the stable names."""

from __future__ import annotations

import importlib
import inspect
import subprocess
import sys
import warnings

import plugfair.api as api
from plugfair.tests import base


class TestExports(base.TestCase):
    def test_every_exported_name_exists(self):
        for name in api.__all__:
            self.assertIsNotNone(getattr(api, name), name)

    def test_all_has_no_duplicates_and_nothing_private(self):
        self.assertEqual(len(api.__all__), len(set(api.__all__)))
        for name in api.__all__:
            self.assertFalse(name.startswith("_"), name)
            self.assertNotIsInstance(getattr(api, name), type(sys), name)

    def test_star_import_gives_exactly_all(self):
        namespace: dict[str, object] = {}
        exec("from plugfair.api import *", namespace)
        namespace.pop("__builtins__")
        self.assertEqual(set(api.__all__), set(namespace))

    def test_dir_lists_only_public_names(self):
        self.assertEqual(sorted(api.__all__), dir(api))
        self.assertNotIn("importlib", dir(api))
        self.assertNotIn("TYPE_CHECKING", dir(api))

    def test_lazy_names_resolve_to_their_implementation(self):
        for name, module in api._LAZY.items():
            self.assertIn(name, api.__all__)
            impl = getattr(importlib.import_module(module), name)
            self.assertIs(impl, getattr(api, name))

    def test_unknown_name_is_an_attribute_error(self):
        with self.assertRaises(AttributeError) as ctx:
            api.NoSuchThing  # noqa: B018
        self.assertIn("NoSuchThing", str(ctx.exception))

    def test_the_source_of_every_public_name_can_be_found(self):
        # Public names keep their real module (no __module__ rewriting), so
        # inspect.getsource, tracebacks and debuggers find their code.
        import warnings

        found = 0
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            for name in api.__all__:
                obj = getattr(api, name)
                if inspect.isclass(obj) or inspect.isfunction(obj):
                    source = inspect.getsource(obj)
                    self.assertIn(obj.__name__, source, name)
                    self.assertTrue(obj.__module__.startswith("plugfair."), name)
                    found += 1
        self.assertGreater(found, 20)

    def test_public_things_are_documented(self):
        for name in api.__all__:
            obj = getattr(api, name)
            if inspect.isclass(obj) or inspect.isfunction(obj):
                self.assertTrue(inspect.getdoc(obj), name)

    def test_importing_the_api_is_cheap_and_has_no_side_effects(self):
        # A fresh interpreter: importing plugfair.api must not pull in the
        # CLI framework, the test libraries or oslo.config's global CONF.
        code = (
            "import sys, plugfair.api\n"
            "heavy = [m for m in ('cliff', 'cliff.app', 'fixtures', 'testtools',"
            " 'stevedore', 'oslo_config', 'sqlalchemy') if m in sys.modules]\n"
            "print(','.join(heavy))\n"
        )
        out = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True
        ).stdout.strip()
        self.assertEqual("", out)


class TestApiVersion(base.TestCase):
    def test_version_is_major_minor(self):
        major, minor = api.API_VERSION.split(".")
        self.assertEqual((major, minor), (str(int(major)), str(int(minor))))
        self.assertEqual("1.1", api.API_VERSION)

    def test_plugin_declares_the_host_version_by_default(self):
        self.assertEqual(api.API_VERSION, api.Plugin.api_version)


class TestDeprecated(base.TestCase):
    def _old(self):
        @api.deprecated(since="1.1", removed_in="2.0", alternative="new_thing()")
        def old_thing(x):
            """Do the old thing."""
            return x * 2

        return old_thing

    def test_warns_with_removal_version_and_alternative(self):
        old_thing = self._old()
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            self.assertEqual(4, old_thing(2))
        self.assertEqual(1, len(caught))
        warning = caught[0]
        self.assertIs(DeprecationWarning, warning.category)
        text = str(warning.message)
        self.assertIn("old_thing", text)
        self.assertIn("1.1", text)
        self.assertIn("removed in 2.0", text)
        self.assertIn("new_thing()", text)
        # stacklevel points at the caller, not at the wrapper
        self.assertEqual(__file__, warning.filename)

    def test_marks_docstring_and_keeps_metadata(self):
        old_thing = self._old()
        self.assertEqual("old_thing", old_thing.__name__)
        doc = old_thing.__doc__ or ""
        self.assertTrue(doc.startswith("Do the old thing."))
        self.assertIn(".. deprecated:: 1.1", doc)
        self.assertEqual(
            {"since": "1.1", "removed_in": "2.0", "alternative": "new_thing()"},
            old_thing.__plugfair_deprecated__,
        )

    def test_without_docstring_or_alternative(self):
        @api.deprecated(since="1.0", removed_in="2.0")
        def bare():
            return None

        self.assertIn(".. deprecated:: 1.0", bare.__doc__ or "")
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            bare()
        self.assertNotIn("instead", str(caught[0].message))

    def test_plugfair_warning_is_a_user_warning(self):
        self.assertTrue(issubclass(api.PlugfairWarning, UserWarning))
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            warnings.warn("x", api.PlugfairWarning, stacklevel=1)
        self.assertIs(api.PlugfairWarning, caught[0].category)
