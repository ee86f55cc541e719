"""Small statements of every format, written for the tests (they do not need ../shared)."""

from __future__ import annotations

CAMT053_V8 = b"""<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08">
  <BkToCstmrStmt>
    <GrpHdr><MsgId>MSG-1</MsgId><CreDtTm>2026-03-02T06:00:00+01:00</CreDtTm></GrpHdr>
    <Stmt>
      <Id>STMT-2026-03-01</Id>
      <CreDtTm>2026-03-02T06:00:00+01:00</CreDtTm>
      <FrToDt><FrDtTm>2026-03-01T00:00:00+01:00</FrDtTm><ToDtTm>2026-03-01T23:59:59+01:00</ToDtTm></FrToDt>
      <Acct><Id><IBAN>FR76 3000 6000 0112 3456 7890 189</IBAN></Id><Ccy>EUR</Ccy></Acct>
      <Bal><Tp><CdOrPrtry><Cd>OPBD</Cd></CdOrPrtry></Tp><Amt Ccy="EUR">1000.00</Amt><CdtDbtInd>CRDT</CdtDbtInd>
        <Dt><Dt>2026-03-01</Dt></Dt></Bal>
      <Bal><Tp><CdOrPrtry><Cd>CLBD</Cd></CdOrPrtry></Tp><Amt Ccy="EUR">2485.50</Amt><CdtDbtInd>CRDT</CdtDbtInd>
        <Dt><Dt>2026-03-01</Dt></Dt></Bal>
      <Ntry>
        <NtryRef>E1</NtryRef>
        <Amt Ccy="EUR">1200.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts><Cd>BOOK</Cd></Sts>
        <BookgDt><Dt>2026-03-01</Dt></BookgDt><ValDt><Dt>2026-03-02</Dt></ValDt>
        <AcctSvcrRef>BANK-REF-1</AcctSvcrRef>
        <BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>RCDT</Cd><SubFmlyCd>ESCT</SubFmlyCd></Fmly></Domn></BkTxCd>
        <NtryDtls><TxDtls>
          <Refs><EndToEndId>F2026-0042</EndToEndId></Refs>
          <RltdPties><Dbtr><Pty><Nm>Boulangerie Martin</Nm></Pty></Dbtr>
            <DbtrAcct><Id><IBAN>FR1420041010050500013M02606</IBAN></Id></DbtrAcct></RltdPties>
          <RltdAgts><DbtrAgt><FinInstnId><BICFI>PSSTFRPPLYO</BICFI></FinInstnId></DbtrAgt></RltdAgts>
          <RmtInf><Ustrd>Facture F2026-0042</Ustrd><Ustrd>merci</Ustrd>
            <Strd><CdtrRefInf><Tp><CdOrPrtry><Cd>SCOR</Cd></CdOrPrtry></Tp><Ref>RF18539007547034</Ref></CdtrRefInf></Strd>
          </RmtInf>
        </TxDtls></NtryDtls>
      </Ntry>
      <Ntry>
        <Amt Ccy="EUR">14.50</Amt><CdtDbtInd>DBIT</CdtDbtInd><Sts><Cd>BOOK</Cd></Sts>
        <BookgDt><Dt>2026-03-01</Dt></BookgDt>
        <AcctSvcrRef>BANK-REF-2</AcctSvcrRef>
        <BkTxCd><Prtry><Cd>FEES</Cd></Prtry></BkTxCd>
        <Chrgs><TtlChrgsAndTaxAmt Ccy="EUR">14.50</TtlChrgsAndTaxAmt></Chrgs>
        <AddtlNtryInf>Frais de tenue de compte</AddtlNtryInf>
      </Ntry>
      <Ntry>
        <Amt Ccy="EUR">300.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts><Cd>BOOK</Cd></Sts>
        <BookgDt><Dt>2026-03-01</Dt></BookgDt>
        <AcctSvcrRef>BATCH-1</AcctSvcrRef>
        <NtryDtls>
          <Btch><NbOfTxs>2</NbOfTxs></Btch>
          <TxDtls><Refs><AcctSvcrRef>B1-1</AcctSvcrRef><EndToEndId>F2026-0050</EndToEndId></Refs>
            <Amt Ccy="EUR">100.00</Amt><CdtDbtInd>CRDT</CdtDbtInd>
            <RltdPties><Dbtr><Pty><Nm>Client A</Nm></Pty></Dbtr></RltdPties></TxDtls>
          <TxDtls><Refs><AcctSvcrRef>B1-2</AcctSvcrRef><EndToEndId>NOTPROVIDED</EndToEndId></Refs>
            <Amt Ccy="EUR">200.00</Amt><CdtDbtInd>CRDT</CdtDbtInd>
            <RltdPties><Dbtr><Pty><Nm>Client B</Nm></Pty></Dbtr></RltdPties>
            <RmtInf><Ustrd>F2026-0051</Ustrd></RmtInf></TxDtls>
        </NtryDtls>
      </Ntry>
      <Ntry>
        <Amt Ccy="EUR">999.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts><Cd>PDNG</Cd></Sts>
        <BookgDt><Dt>2026-03-01</Dt></BookgDt>
      </Ntry>
    </Stmt>
  </BkToCstmrStmt>
</Document>
"""

CAMT054_RETURN = b"""<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.054.001.02">
  <BkToCstmrDbtCdtNtfctn>
    <GrpHdr><MsgId>N-1</MsgId><CreDtTm>2026-03-05T10:00:00</CreDtTm></GrpHdr>
    <Ntfctn>
      <Id>NTF-1</Id>
      <CreDtTm>2026-03-05T10:00:00</CreDtTm>
      <Acct><Id><IBAN>FR7630006000011234567890189</IBAN></Id></Acct>
      <Ntry>
        <Amt Ccy="EUR">450.00</Amt><CdtDbtInd>DBIT</CdtDbtInd><RvslInd>true</RvslInd><Sts>BOOK</Sts>
        <BookgDt><Dt>2026-03-05</Dt></BookgDt>
        <AcctSvcrRef>RTN-77</AcctSvcrRef>
        <BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>RDDT</Cd><SubFmlyCd>UPDD</SubFmlyCd></Fmly></Domn></BkTxCd>
        <NtryDtls><TxDtls>
          <Refs><EndToEndId>F2026-0031</EndToEndId><MndtId>MANDATE-9</MndtId></Refs>
          <AmtDtls><TxAmt><Amt Ccy="EUR">450.00</Amt></TxAmt></AmtDtls>
          <RltdPties><Dbtr><Nm>Garage Dupuis</Nm></Dbtr><DbtrAcct><Id><IBAN>FR7610107001011234567890129</IBAN></Id></DbtrAcct></RltdPties>
          <RtrInf><Rsn><Cd>AC04</Cd></Rsn><AddtlInf>Account closed</AddtlInf></RtrInf>
        </TxDtls></NtryDtls>
      </Ntry>
      <Ntry>
        <Amt Ccy="EUR">80.00</Amt><CdtDbtInd>DBIT</CdtDbtInd><Sts>BOOK</Sts>
        <ValDt><Dt>2026-03-06</Dt></ValDt>
        <NtryDtls><TxDtls>
          <Refs><EndToEndId>F2026-0032</EndToEndId></Refs>
          <RltdPties><Cdtr><Nm>Fournisseur</Nm></Cdtr></RltdPties>
          <RtrInf><Rsn><Prtry>MS03</Prtry></Rsn></RtrInf>
        </TxDtls></NtryDtls>
      </Ntry>
    </Ntfctn>
  </BkToCstmrDbtCdtNtfctn>
</Document>
"""

MT940 = (
    ":20:STARTUMSE\r\n"
    ":25:DE89370400440532013000\r\n"
    ":28C:00042/001\r\n"
    ":60F:C260301EUR1000,00\r\n"
    ":61:2603020302CR250,00NTRFNONREF//BANKREF-1\r\n"
    ":86:166?00SEPA-GUTSCHRIFT?109249?20EREF+F2026-0042?21SVWZ+Rechnung F2026-0042 d?22anke?30COBADEFFXXX"
    "?31DE02120300000000202051?32Müller GmbH\r\n"
    ":61:260303D100,50NDDTNONREF\r\n"
    ":86:/EREF/F2026-0040//CNTP/NL91ABNA0417164300/ABNANL2A/Bakkerij Jansen///REMI/USTD//Factuur F2026-0040/"
    "/RTRN/MD06/\r\n"
    ":61:260303C0,50NMSCNONREF\r\n"
    ":86:Zinsen\r\n"
    ":62F:C260303EUR1150,00\r\n"
    "-\r\n"
).encode("cp1252")

OFX1 = (
    "OFXHEADER:100\r\nDATA:OFXSGML\r\nVERSION:102\r\nSECURITY:NONE\r\nENCODING:USASCII\r\nCHARSET:1252\r\n"
    "COMPRESSION:NONE\r\nOLDFILEUID:NONE\r\nNEWFILEUID:NONE\r\n\r\n"
    "<OFX><SIGNONMSGSRSV1><SONRS><STATUS><CODE>0<SEVERITY>INFO</STATUS><DTSERVER>20260305<LANGUAGE>FRA"
    "</SONRS></SIGNONMSGSRSV1><BANKMSGSRSV1><STMTTRNRS><TRNUID>1<STATUS><CODE>0<SEVERITY>INFO</STATUS>"
    "<STMTRS><CURDEF>EUR<BANKACCTFROM><BANKID>30006<BRANCHID>00001<ACCTID>FR7630006000011234567890189"
    "<ACCTTYPE>CHECKING</BANKACCTFROM><BANKTRANLIST><DTSTART>20260301<DTEND>20260305"
    "<STMTTRN><TRNTYPE>CREDIT<DTPOSTED>20260302120000[+1:CET]<TRNAMT>1 234,56<FITID>FIT-1"
    "<NAME>Société Générale Client<MEMO>Règlement F2026-0042</STMTTRN>"
    "<STMTTRN><TRNTYPE>DEBIT<DTPOSTED>20260303<DTAVAIL>20260304<TRNAMT>-12.00<FITID>FIT-2<NAME>Frais</STMTTRN>"
    "</BANKTRANLIST><LEDGERBAL><BALAMT>2222.56<DTASOF>20260305</LEDGERBAL></STMTRS></STMTTRNRS>"
    "</BANKMSGSRSV1></OFX>\r\n"
).encode("cp1252")

OFX2 = b"""<?xml version="1.0" encoding="UTF-8" standalone="no"?>
<?OFX OFXHEADER="200" VERSION="220" SECURITY="NONE" OLDFILEUID="NONE" NEWFILEUID="NONE"?>
<OFX><BANKMSGSRSV1><STMTTRNRS><TRNUID>1</TRNUID><STATUS><CODE>0</CODE><SEVERITY>INFO</SEVERITY></STATUS>
<STMTRS><CURDEF>EUR</CURDEF><BANKACCTFROM><BANKID>30006</BANKID><ACCTID>00012345678</ACCTID>
<ACCTTYPE>CHECKING</ACCTTYPE></BANKACCTFROM>
<BANKTRANLIST><DTSTART>20260301</DTSTART><DTEND>20260305</DTEND>
<STMTTRN><TRNTYPE>CREDIT</TRNTYPE><DTPOSTED>20260302</DTPOSTED><TRNAMT>99.90</TRNAMT><FITID>X-1</FITID>
<NAME>Caf\xc3\xa9 du Port</NAME><MEMO>F2026-0077</MEMO></STMTTRN>
</BANKTRANLIST><LEDGERBAL><BALAMT>99.90</BALAMT><DTASOF>20260305</DTASOF></LEDGERBAL></STMTRS>
</STMTTRNRS></BANKMSGSRSV1></OFX>
"""


_ACCOUNT = "30006" + "0562" + "00001" + "EUR" + "2" + " " + "12345678901"  # columns 3-32 of 04/05 records
_ACCOUNT_01 = "30006" + "    " + "00001" + "EUR" + "2" + " " + "12345678901"


def _balance(kind: str, date: str, amount: str) -> str:
    return (kind + _ACCOUNT_01 + "  " + date + " " * 50 + amount).ljust(120)


def _operation(code: str, date: str, reason: str, label: str, amount: str, ref: str) -> str:
    record = (
        "04"
        + _ACCOUNT
        + code
        + date
        + reason
        + date
        + label.ljust(31)
        + "  "
        + "0000123"
        + "  "
        + amount
        + ref
    )
    assert len(record) <= 120, len(record)
    return record.ljust(120)


def _complement(code: str, date: str, qualifier: str, text: str) -> str:
    return ("05" + _ACCOUNT + code + date + "     " + qualifier + text).ljust(120)


CFONB120 = (
    "\r\n".join(
        (
            _balance("01", "010326", "0000000100000{"),  # +10000.00
            _operation("05", "020326", "  ", "VIR SEPA RECU", "0000000012345E", "REF-BANQUE-1"),  # +1234.55
            _complement("05", "020326", "NPY", "SOCIETE GENERALE DES EAUX"),
            _complement("05", "020326", "LIB", "FACTURE F2026-0042 R\xe8GLEMENT"),
            _complement("05", "020326", "RCN", "F2026-0042"),
            _operation("B1", "030326", "AC", "PRLV SEPA EDF", "0000000000500}", ""),  # -50.00
            _balance("07", "030326", "0000000111845E"),  # +11184.55
        )
    )
    + "\r\n"
).encode("latin-1")
