"""A stand-in for a municipality's client-record system, for the demo and the tests.

It speaks the record-system contract (``adapters/soap/record_system.wsdl``) over SQLite, can be
made slow, down or hostile on purpose (``/-/faults``), and shows a record-system web page that
embeds the plugins. Start it with ``python -m reference_record_system serve``; build it in
process with ``reference_record_system.app.create_app``.
"""
