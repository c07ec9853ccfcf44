using System.Text;
using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;

namespace VoiceBridge.Server.Audit;

/// <summary>
/// The shared sink for several bridge instances: one row per line in a PostgreSQL table (created when missing), the
/// same line bytes and chain as the files (column <c>line</c> holds the exact line, so a trail can be re-verified
/// from the table). Each commit is one transaction: a binary COPY of every pending line into a temporary table, then
/// an insert that skips rows already present — a retry after a commit whose acknowledgement was lost adds nothing twice.
/// </summary>
internal sealed class PostgresAuditStore : IAuditStore
{
    private static readonly byte[] EventProperty = Encoding.UTF8.GetBytes(",\"event\":");

    // ,"prev":"<64 hex>" closes every record's hashed part.
    private const int PrevTailLength = 9 + 64 + 1;

    private readonly NpgsqlDataSource _dataSource;
    private readonly string _table;
    private NpgsqlConnection? _connection;

    public PostgresAuditStore(IOptions<AuditOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _dataSource = NpgsqlDataSource.Create(options.Value.ConnectionString!);
        _table = options.Value.Table;
    }

    public async ValueTask<string?> CommitAsync(IReadOnlyList<AuditCallState> calls, CancellationToken cancellationToken)
    {
        try
        {
            var connection = await ConnectAsync(cancellationToken).ConfigureAwait(false);
            var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            await using (transaction.ConfigureAwait(false))
            {
                var importer = await connection.BeginBinaryImportAsync(
                    "COPY audit_stage (call_id, seq, ts, dir, type, event, prev, hash, line) FROM STDIN (FORMAT BINARY)", cancellationToken).ConfigureAwait(false);
                await using (importer.ConfigureAwait(false))
                {
                    foreach (var call in calls)
                    {
                        await WriteRowsAsync(importer, call, cancellationToken).ConfigureAwait(false);
                    }

                    await importer.CompleteAsync(cancellationToken).ConfigureAwait(false);
                }

                // Table and column names are fixed or validated identifiers (Audit:Table); no value is interpolated.
                var conflicts = await ExecuteAsync(connection, $"""
                    INSERT INTO {_table} SELECT * FROM audit_stage ON CONFLICT (call_id, seq) DO NOTHING;
                    SELECT count(*) FROM audit_stage s JOIN {_table} t USING (call_id, seq) WHERE t.hash <> s.hash;
                    """, cancellationToken).ConfigureAwait(false);
                if (conflicts is long count and > 0)
                {
                    await transaction.RollbackAsync(cancellationToken).ConfigureAwait(false);
                    return $"{count} row(s) collide with a different trail under the same call id and sequence";
                }

                await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            }

            foreach (var call in calls)
            {
                call.Committed();
            }

            return null;
        }
        catch (Exception ex) when (ex is NpgsqlException or IOException or TimeoutException or InvalidOperationException)
        {
            if (_connection is not null)
            {
                await _connection.DisposeAsync().ConfigureAwait(false);
                _connection = null;
            }

            return "PostgreSQL: " + ex.Message;
        }
    }

    public void Release(AuditCallState call)
    {
    }

    public async ValueTask DisposeAsync()
    {
        if (_connection is not null)
        {
            await _connection.DisposeAsync().ConfigureAwait(false);
        }

        await _dataSource.DisposeAsync().ConfigureAwait(false);
    }

    private async Task<NpgsqlConnection> ConnectAsync(CancellationToken cancellationToken)
    {
        if (_connection is { State: System.Data.ConnectionState.Open })
        {
            return _connection;
        }

        _connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await ExecuteAsync(_connection, $"""
            CREATE TABLE IF NOT EXISTS {_table} (
                call_id text NOT NULL,
                seq bigint NOT NULL,
                ts timestamptz NOT NULL,
                dir text NOT NULL,
                type text NOT NULL,
                event text NOT NULL,
                prev text NOT NULL,
                hash text NOT NULL,
                line text NOT NULL,
                PRIMARY KEY (call_id, seq));
            CREATE TEMP TABLE IF NOT EXISTS audit_stage (LIKE {_table}) ON COMMIT DELETE ROWS;
            """, cancellationToken).ConfigureAwait(false);
        return _connection;
    }

    private static async Task<object?> ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken)
    {
#pragma warning disable CA2100 // Only fixed text and the validated Audit:Table identifier are formatted into the SQL.
        var command = new NpgsqlCommand(sql, connection);
#pragma warning restore CA2100
        await using (command.ConfigureAwait(false))
        {
            return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private static async Task WriteRowsAsync(NpgsqlBinaryImporter importer, AuditCallState call, CancellationToken cancellationToken)
    {
        var bytes = call.PendingBytes;
        foreach (var line in call.PendingLines)
        {
            var text = bytes.Slice(line.Start, line.Length);
            var (eventJson, prev, hash) = Split(text.Span, line.Seq);
            await importer.StartRowAsync(cancellationToken).ConfigureAwait(false);
            await importer.WriteAsync(call.Header.CallId, NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
            await importer.WriteAsync(line.Seq, NpgsqlDbType.Bigint, cancellationToken).ConfigureAwait(false);
            await importer.WriteAsync(line.Timestamp.ToUniversalTime(), NpgsqlDbType.TimestampTz, cancellationToken).ConfigureAwait(false);
            await importer.WriteAsync(Realtime.Audit.AuditFormat.Name(line.Direction), NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
            await importer.WriteAsync(line.Type, NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
            await importer.WriteAsync(eventJson, NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
            await importer.WriteAsync(prev, NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
            await importer.WriteAsync(hash, NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
            await importer.WriteAsync(Encoding.UTF8.GetString(text.Span), NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The event JSON, prev and hash of a line, by position (the writer's layout; see <see cref="Realtime.Audit.AuditFormat"/>).</summary>
    private static (string Event, string Prev, string Hash) Split(ReadOnlySpan<byte> line, long seq)
    {
        var hashed = line[..^Realtime.Audit.AuditFormat.HashSuffixLength];
        var hash = Encoding.ASCII.GetString(line[^(Realtime.Audit.AuditFormat.HashHexLength + 2)..^2]);
        if (seq == 0)
        {
            // The header has no event or prev: the whole header object stands in for the event.
            return (Encoding.UTF8.GetString(line), "", hash);
        }

        // The writer escapes '"' inside strings, so ,"event": only occurs as the property itself.
        var start = hashed.IndexOf(EventProperty) + EventProperty.Length;
        var prev = Encoding.ASCII.GetString(hashed[^(PrevTailLength - 9)..^1]);
        return (Encoding.UTF8.GetString(hashed[start..^PrevTailLength]), prev, hash);
    }
}
