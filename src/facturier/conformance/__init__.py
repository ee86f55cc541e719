"""The official e-invoicing rule sets, fetched from their publishers and installed for validation.

``facturier conformance install`` downloads the CEN EN 16931 artefacts, the FNFE-MPE French rules,
the OpenPEPPOL BIS Billing 3 rules and the UBL 2.1 / CII D16B schemas (:mod:`.sources`), unpacks
them safely (:mod:`.archives`), places their files (:mod:`.layout`), checks them (:mod:`.checks`)
and swaps them in with a manifest of versions (:mod:`.installer`, :mod:`.manifest`). Plain Python
(no Django): the management command passes the settings in.
"""
