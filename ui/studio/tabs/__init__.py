"""The studio's tabs, one module per screen (or per part of the Studio screen).

The protocol a tab keeps, so a newcomer can add one:

- ``lay_out_<tab>(page)`` builds its Gradio components inside the open ``gr.Blocks`` and
  names each on the ``Page`` (layout.py calls it); every component a person uses gets an
  ``elem_id`` ``tk-...`` for browser tests.
- ``render_<view>(...)`` turns what the registry and the session hold into the values of
  those components: plain data in, ``gr.update`` / values out, no events and no side effects,
  so a test calls it without a browser.
- ``connect_<tab>(page, studio, ...)`` (only where the tab has its own buttons) wires its
  events; each event runs one ``Session`` method under that session's lock, has an
  ``api_name`` so ``gradio_client`` drives it exactly as the page does, and answers with the
  views it touched (app.py's ``answer``).
- A tab reads runs from registry.db (each browser session sees only its own runs in a shared
  studio); anything long (a run, a sweep, the rate finder) is started through ``jobs/``,
  never in the event itself.

studio.py (chat, run card, data), form.py (the run card's fields), data_check.py,
monitor.py, curves.py, generations.py, rate.py and sweeps.py make up the Studio screen;
history.py, bakeoff.py, sweeps.py and plugins.py are the other tabs.
"""
