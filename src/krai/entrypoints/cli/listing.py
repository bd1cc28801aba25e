"""What ``--help`` lists for each command group, so that listing a group imports none of its
commands (``lazy``, ADR 0051). Written from the commands themselves by
``python -m krai.entrypoints.cli.listing_write``; a test fails when they differ."""

from typing import NamedTuple


class Listing(NamedTuple):
    """A group as its ``--help`` shows it: its help, whether no arguments ask for the help,
    and each command's name with the first paragraph of its help, in the listed order."""

    help: str
    no_args_is_help: bool
    commands: tuple[tuple[str, str], ...]


LISTINGS: dict[str, Listing] = {
    "krai": Listing(
        help="krai: a verifiable ledger for regional development programmes.",
        no_args_is_help=True,
        commands=(
            (
                "init",
                "Create a new network: its log key, the operator's key and the genesis entry.",
            ),
            ("keys", "Signing keys kept in the home's keystore."),
            ("tx", "Build, sign and submit transactions."),
            ("log", "The Merkle log: checkpoints, proofs, entries."),
            ("notary", "Documents anchored by SHA-256."),
            ("parks", "Industrial parks, clusters, sites, capacity and residents."),
            ("energy", "The in-park energy exchange."),
            ("payments", "Social payments and drug provision."),
            (
                "vault",
                "The off-ledger vault of personal data: people appear on the ledger only as pseudonyms.",
            ),
            ("receipt", "Offline receipts: C2SP tlog-proof, checked against a C2SP tlog-policy."),
            (
                "witness",
                "A witness: cosigns checkpoints that extend what it saw (C2SP tlog-witness).",
            ),
            (
                "verify",
                "Re-check every signature, leaf and checkpoint and replay all state; exit 0 when sound.",
            ),
            (
                "export",
                "Write a portable bundle that `krai verify --bundle` checks with no database.",
            ),
            (
                "rebuild-state",
                "Replay the log with this release's rules and make the stored state what it gives\n(after an upgrade whose rules keep new state; run it with the server stopped).",
            ),
            (
                "demo",
                "Build the demo world (synthetic people, identifiers and figures), verify it, serve it.",
            ),
            ("serve", "Serve the ledger's API and dashboard until interrupted."),
            (
                "follow",
                "Mirror, verify and (with --serve) serve a remote log; raise the alarm on a fork.",
            ),
        ),
    ),
    "krai keys": Listing(
        help="Signing keys kept in the home's keystore.",
        no_args_is_help=True,
        commands=(
            (
                "generate",
                "Generate a key (Ed25519 unless --type says otherwise) and print its public key.",
            ),
            ("list", "List the keys in the keystore."),
        ),
    ),
    "krai tx": Listing(
        help="Build, sign and submit transactions.",
        no_args_is_help=True,
        commands=(
            ("build", "Print one signed transaction as one JSON line."),
            (
                "submit",
                "Submit signed transactions; print one receipt or error line per transaction.",
            ),
            (
                "types",
                "List every transaction type with its version, allowed roles and body schema.",
            ),
        ),
    ),
    "krai log": Listing(
        help="The Merkle log: checkpoints, proofs, entries.",
        no_args_is_help=True,
        commands=(
            ("checkpoint", "The latest signed checkpoint (JSON: as GET /v1/checkpoint)."),
            (
                "published",
                "The checkpoint /checkpoint publishes: with witnesses, the newest one their quorum\ncosigned (JSON: as GET /v1/checkpoint/published).",
            ),
            ("vkey", "The log's C2SP verifier key: name+hexid+base64."),
            (
                "entry",
                "Write the entry's exact bytes to standard output (SHA-256(0x00 ‖ bytes) = leaf hash).",
            ),
            ("prove-inclusion", "An RFC 9162 inclusion proof of one entry."),
            ("prove-consistency", "An RFC 9162 consistency proof between two tree sizes."),
            (
                "export-tiles",
                "Write the C2SP tlog-tiles tree as static files any web server can publish.",
            ),
            ("witnesses", "The witnesses that cosign this log's checkpoints, and how many must."),
            (
                "mirrors",
                "The mirrors `krai serve` pushes each published checkpoint and its entries to.",
            ),
            (
                "cosign",
                "Send the newest checkpoint to the witnesses now and keep their cosignatures.",
            ),
            (
                "check-cosigned",
                "Check a checkpoint against a policy: the log's signature and the witnesses' quorum.",
            ),
        ),
    ),
    "krai log witnesses": Listing(
        help="The witnesses that cosign this log's checkpoints, and how many must.",
        no_args_is_help=True,
        commands=(
            ("add", "Ask this witness for cosignatures from now on."),
            ("remove", "Stop asking this witness."),
            ("list", "The witnesses and the quorum a published checkpoint needs."),
            ("policy", "Publish a checkpoint only once K of the witnesses cosigned it."),
            (
                "policy-file",
                "This log's policy as a C2SP tlog-policy file, for clients to verify with; with\n--mirror, it also requires the mirrors' cosignatures (\"stored and verified there\").",
            ),
        ),
    ),
    "krai log mirrors": Listing(
        help="The mirrors `krai serve` pushes each published checkpoint and its entries to.",
        no_args_is_help=True,
        commands=(
            ("add", "Push to this mirror from now on (`krai serve` gathers its cosignatures)."),
            ("remove", "Stop pushing to this mirror."),
            ("list", "The mirrors this log pushes to."),
        ),
    ),
    "krai notary": Listing(
        help="Documents anchored by SHA-256.",
        no_args_is_help=True,
        commands=(
            (
                "show",
                "Who anchored the document and when, with its inclusion proof and the signed checkpoint.",
            ),
        ),
    ),
    "krai parks": Listing(
        help="Industrial parks, clusters, sites, capacity and residents.",
        no_args_is_help=False,
        commands=(
            ("list", "Every park with its kind, status, operator and occupancy."),
            (
                "show",
                "A park's card: status, facts with their provenance, infrastructure, power, residents.",
            ),
            (
                "fact",
                "A fact's current value, its history, and the proof of the entry that stated it.",
            ),
            ("sites", "Search plots as an investor would."),
            (
                "power",
                "Capacity, allocated and free power (kW) from each date on which one of them changes.",
            ),
            ("residents", "Residents with their commitments against actuals, and breach flags."),
            ("agreements", "Agreements with their parties and signatures."),
            ("targets", "Regional targets with their progress and whether they are on track."),
            (
                "support",
                "Support measures granted: what, to whom, by whom, until when, how much, on what legal\nbasis, and the other authorities' measures each overlaps.",
            ),
            (
                "template",
                "Write an XLSX template to fill: a sheet per resident for a quarter's actuals\n(``--quarter``), or the park's facts (``--facts``); import it with ``import-report``.",
            ),
            (
                "import-report",
                "Read a filled template and record it: ``parks.report_actuals`` for each filled\nresident sheet (the signer's own), or ``parks.state_park_facts``. Any wrong cell refuses\nthe whole file, listing each ``sheet!cell: reason``; nothing is then recorded.",
            ),
        ),
    ),
    "krai energy": Listing(
        help="The in-park energy exchange.",
        no_args_is_help=True,
        commands=(
            (
                "clear",
                "Clear one delivery period: the uniform price, accepted energy, grid flows, welfare.",
            ),
            (
                "prices",
                "Each cleared period's price, volumes and whether the connection limit bound.",
            ),
            ("curves", "A period's supply and demand step curves and the clearing point."),
            (
                "book",
                "A period's book as the ledger clears it: feed `--json` to `krai energy clear --orders`.",
            ),
            (
                "recompute",
                "Recompute every cleared period of a day from the ledger and check its certificate.",
            ),
            ("market", "A market with its settlement account's and the grid company's balances."),
            (
                "statement",
                "A participant's statement for a day: hour by hour (local time), the day's totals and\nthe balances; --json prints the document, --out FILE --format csv|xlsx|json writes it.",
            ),
            (
                "heat",
                "Heat delivered per micro-district and resident, what it paid and the fuel it avoided.",
            ),
            (
                "import-readings",
                "Record a day's meter data from an 80020 file: the file's SHA-256 anchored by the\nnotary, then its readings in as many energy.submit_readings as they need.",
            ),
            (
                "export-positions",
                "The exchange's cleared positions of a day as an ATS 80020 file: a measuring point per\nparticipant, channel 01 the kWh it bought and 02 the kWh it sold in each period.",
            ),
        ),
    ),
    "krai payments": Listing(
        help="Social payments and drug provision.",
        no_args_is_help=True,
        commands=(
            (
                "audit",
                "Every finding: illegitimate, duplicate, late and missing accruals, broken links.",
            ),
            ("trace", "The chain between budget and service, each step with its inclusion proof."),
            (
                "import-statement",
                "Record a bank statement, in as many parts as one transaction's size requires, and\nprint how each line matched the ledger's payments.",
            ),
            (
                "export-orders",
                "The paying agent's payments of a day as «Клиент банка» payment orders for its bank.",
            ),
        ),
    ),
    "krai vault": Listing(
        help="The off-ledger vault of personal data: people appear on the ledger only as pseudonyms.",
        no_args_is_help=True,
        commands=(
            (
                "enrol",
                "Enrol a person (JSON: snils, full_name, birth_date YYYY-MM-DD, address) in a programme\nand print their pseudonym and dedup key; enrolling again prints the same.",
            ),
            ("show", "The person's personal data (decrypted), pseudonyms and status."),
            (
                "erase",
                "Destroy the person's data key and personal data (crypto-shredding) and print the\n``payments.record_erasure`` bodies the operator must submit, one per programme.",
            ),
            (
                "access",
                "A subject access report (152-FZ art. 14): the personal data held, the pseudonyms, and\nevery ledger entry that mentions them.",
            ),
        ),
    ),
    "krai receipt": Listing(
        help="Offline receipts: C2SP tlog-proof, checked against a C2SP tlog-policy.",
        no_args_is_help=True,
        commands=(
            (
                "get",
                "Write the transaction's receipt: entry, inclusion proof and signed checkpoint.",
            ),
            (
                "verify",
                "Check a receipt with no network: leaf, inclusion proof, log signature, cosignatures.",
            ),
        ),
    ),
    "krai witness": Listing(
        help="A witness: cosigns checkpoints that extend what it saw (C2SP tlog-witness).",
        no_args_is_help=True,
        commands=(
            ("init", "Create the witness: its cosigning key (mode 0600) and its database."),
            ("add-log", "Follow a log: cosign its checkpoints when they verify with this key."),
            ("vkey", "The witness's cosignature verifier key (C2SP vkey, type 0x04)."),
            ("logs", "The logs followed and the size last cosigned for each."),
            (
                "conflicts",
                "Signed checkpoints refused as split views or inconsistent, with the recorded ones.",
            ),
            ("serve", "Serve POST /add-checkpoint until interrupted."),
        ),
    ),
}
"""Each group's listing by its words from ``krai`` on (``"krai log witnesses"``)."""
