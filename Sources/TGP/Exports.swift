// TGP is one SBE protocol: whoever imports it gets the schema IR and the codec too.
@_exported import SBE
