using System.ComponentModel.DataAnnotations;
using VoiceBridge.Realtime.Audit;

using VoiceBridge.Server.Core;

namespace VoiceBridge.Server.Audit;

/// <summary>Configuration section <c>Audit</c>: where the hash-chained audit trail of every call goes.</summary>
internal sealed class AuditOptions : IValidatableObject
{
    public const string SectionName = "Audit";

    [EnumDataType(typeof(AuditSinkKind), ErrorMessage = "Audit:Sink must be File or Postgres.")]
    public AuditSinkKind Sink { get; set; } = AuditSinkKind.File;

    /// <summary>
    /// File sink: one <c>yyyy-MM-dd/&lt;call id&gt;.jsonl</c> per call below this directory (a relative path is taken from
    /// the process's current directory). Created at start-up when missing; the boot stops when it cannot be written.
    /// </summary>
    [Required(AllowEmptyStrings = false, ErrorMessage = "Audit:Directory must not be empty.")]
    public string Directory { get; set; } = "audit";

    /// <summary>Postgres sink: an Npgsql connection string. Never logged.</summary>
    public string? ConnectionString { get; set; }

    /// <summary>Postgres sink: the table (created when missing).</summary>
    [RegularExpression("^[a-z_][a-z0-9_]{0,62}$", ErrorMessage = "Audit:Table must be a lower-case SQL identifier.")]
    public string Table { get; set; } = "audit_records";

    /// <summary>
    /// Where recordings are kept: <c>File</c> (beside the trails under <see cref="Directory"/>) or <c>Postgres</c> (in
    /// chunks in <see cref="RecordingTable"/>, readable from every instance). Unset: <c>File</c>, or <c>Postgres</c> when
    /// several instances share the Postgres sink (<c>Cluster:Redis</c>).
    /// </summary>
    [EnumDataType(typeof(AuditSinkKind), ErrorMessage = "Audit:Recordings must be File or Postgres.")]
    public AuditSinkKind? Recordings { get; set; }

    /// <summary>Postgres recordings: the table (created when missing).</summary>
    [RegularExpression("^[a-z_][a-z0-9_]{0,62}$", ErrorMessage = "Audit:RecordingTable must be a lower-case SQL identifier.")]
    public string RecordingTable { get; set; } = "audit_recordings";

    /// <summary>Group commit: records are made durable (fsync / transaction commit) at least this often, and at call end.</summary>
    [KeyedRange(1, 10_000, ErrorMessage = "Audit:FlushIntervalMs must be between 1 and 10000.")]
    public int FlushIntervalMs { get; set; } = 200;

    /// <summary>
    /// Records waiting for the writer, all calls together. At about 100 events a second per call (50 audio frames each
    /// way), the default holds roughly 1.6 s of 100 concurrent calls.
    /// </summary>
    [KeyedRange(64, 10_000_000, ErrorMessage = "Audit:QueueCapacity must be between 64 and 10000000.")]
    public int QueueCapacity { get; set; } = 16_384;

    /// <summary>
    /// Records one call may hold outside the full queue before its recording reports it over the bound (the session
    /// should then end the call); they are still kept, never dropped.
    /// </summary>
    [KeyedRange(1, 10_000_000, ErrorMessage = "Audit:BacklogPerCall must be between 1 and 10000000.")]
    public int BacklogPerCall { get; set; } = 6_000;

    /// <summary>
    /// Records one call may write. A phone call writes about 6 per 20 ms while both sides speak (300 a second), so
    /// the default holds about 1 h 50 min of continuous two-way audio — a 1-hour call fits with room to spare.
    /// When it is spent the call ends with <c>audit_budget</c> (docs/security-flood.md).
    /// </summary>
    [KeyedRange(1_000, 100_000_000, ErrorMessage = "Audit:MaxRecordsPerCall must be between 1000 and 100000000.")]
    public int MaxRecordsPerCall { get; set; } = 2_000_000;

    /// <summary>
    /// Bytes of trail (as written: audio payloads are replaced by their digest) one call may write; see
    /// docs/security-flood.md for how the default was sized. When it is spent the call ends with <c>audit_budget</c>.
    /// </summary>
    [KeyedRange(typeof(long), "65536", "1099511627776", ErrorMessage = "Audit:MaxBytesPerCall must be between 65536 and 1099511627776.")]
    public long MaxBytesPerCall { get; set; } = 1024L * 1024 * 1024;

    /// <summary>
    /// Bytes of trail one call may write in any one minute (fixed minutes on the server's clock): stops a client
    /// that sends large valid events (each audited in full) long before <see cref="MaxBytesPerCall"/>.
    /// </summary>
    [KeyedRange(typeof(long), "65536", "1099511627776", ErrorMessage = "Audit:MaxBytesPerMinute must be between 65536 and 1099511627776.")]
    public long MaxBytesPerMinute { get; set; } = 64L * 1024 * 1024;

    /// <summary>
    /// Keep a stereo WAV per call next to its trail (caller left, assistant right, as the caller heard it): 8 kHz for
    /// phone calls (what the phone leg carries), 24 kHz for browser calls (the upstream's rate).
    /// </summary>
    public bool Record { get; set; } = true;

    /// <summary>Redact card numbers (Luhn-checked) and US SSNs from every text written to the trail and transcript.</summary>
    public bool Redact { get; set; } = true;

    /// <summary>Also redact DTMF digits (keypad entries are often PINs or card numbers).</summary>
    public bool RedactDtmf { get; set; } = true;

    /// <summary>How long a call's end waits for its close record to be durable before the session lets go.</summary>
    [KeyedRange(100, 60_000, ErrorMessage = "Audit:CompleteTimeoutMs must be between 100 and 60000.")]
    public int CompleteTimeoutMs { get; set; } = 5_000;

    /// <summary>
    /// Keys for the admin API (<c>/calls…</c>: audit, transcript, recording, call control), presented as
    /// <c>Authorization: Bearer</c>. Empty: the admin API refuses every request.
    /// </summary>
    public IList<string> AdminKeys { get; } = [];

    /// <summary>
    /// Read-only keys for the operations dashboard (<c>/ops</c>): they may watch every live call and its redacted
    /// transcript, never act on one nor read a recording. Same rule as <see cref="AdminKeys"/> (32+ characters).
    /// </summary>
    public IList<string> ViewerKeys { get; } = [];

    /// <summary>
    /// The key that seals every trail and index (HMAC-SHA256), base64, at least 32 bytes (<c>openssl rand -base64 32</c>,
    /// or <c>voicebridge audit new-key</c>). Never logged and never written to the trail: files name it by a fingerprint.
    /// Required outside Development; in Development, absent means unsealed trails and a warning at start.
    /// </summary>
    public string? SigningKey { get; set; }

    private AuditSigningKey? _parsedKey;

    /// <summary>The parsed <see cref="SigningKey"/>, or null when none is configured (validated at start).</summary>
    internal AuditSigningKey? ParsedSigningKey()
    {
        if (_parsedKey is null && !string.IsNullOrWhiteSpace(SigningKey) && AuditSigningKey.TryParse(SigningKey, out var key, out _))
        {
            _parsedKey = key;
        }

        return _parsedKey;
    }

    /// <summary>The keys the server verifies stored trails with (for the admin API): the signing key, when there is one.</summary>
    internal IReadOnlyList<AuditSigningKey> VerificationKeys() => ParsedSigningKey() is { } key ? [key] : [];

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Sink == AuditSinkKind.Postgres && string.IsNullOrWhiteSpace(ConnectionString))
        {
            yield return new ValidationResult("Audit:ConnectionString is required when Audit:Sink is Postgres.", [nameof(ConnectionString)]);
        }
        else if (Recordings == AuditSinkKind.Postgres && string.IsNullOrWhiteSpace(ConnectionString))
        {
            yield return new ValidationResult("Audit:ConnectionString is required when Audit:Recordings is Postgres.", [nameof(ConnectionString)]);
        }

        if (!string.IsNullOrWhiteSpace(SigningKey) && !AuditSigningKey.TryParse(SigningKey, out _, out var error))
        {
            yield return new ValidationResult($"Audit:SigningKey is not usable: {error}.", [nameof(SigningKey)]);
        }
    }
}
