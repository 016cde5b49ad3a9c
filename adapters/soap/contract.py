"""Names fixed by the bundled WSDL (``record_system.wsdl``); change them only with the WSDL."""

TNS = "urn:systemic:record-system:v1"
BINDING = f"{{{TNS}}}RecordSystemSoapBinding"
