using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using Microsoft.Extensions.Options;
using Npgsql;

namespace VoiceBridge.Server.Audit;

/// <summary>
/// Recordings in PostgreSQL, so any instance can serve any call's recording: one row per chunk of the WAV as it was
/// written (<c>Audit:RecordingTable</c>: name, seq, data), about five seconds of audio each (the recording's writer
/// flushes every ten half-second chunks). A killed instance leaves the chunks written so far; the WAV header is
/// written with unknown sizes (the stream cannot seek) and the sizes are set when the chunks are read back.
/// </summary>
internal sealed class PostgresRecordingStore : IRecordingStore, IAsyncDisposable
{
    private readonly NpgsqlDataSource _dataSource;
    private readonly string _table;
    private readonly TimeProvider _time;
    private readonly SemaphoreSlim _created = new(1, 1);
    private volatile bool _exists;

    public PostgresRecordingStore(IOptions<AuditOptions> options, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(options);
        _dataSource = NpgsqlDataSource.Create(options.Value.ConnectionString!);
        _table = options.Value.RecordingTable;
        _time = time;
    }

    public RecordingTarget? Create(string callId, out string? error)
    {
        error = null;
        var day = _time.GetUtcNow().UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        // A random suffix instead of probing for a free name: the name is chosen without a round trip on the call's task.
        var name = $"{day}/{FileAuditStore.SafeName(callId)}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4))}.wav";
        return new RecordingTarget("postgres:" + name, new PostgresRecordingStream(this, name));
    }

    public async Task<RecordingContent?> OpenAsync(string name, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (!name.StartsWith("postgres:", StringComparison.Ordinal))
        {
            return null;
        }

        var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
#pragma warning disable CA2100 // The table is the validated Audit:RecordingTable identifier; the name is a parameter.
            var command = new NpgsqlCommand($"SELECT data FROM {_table} WHERE name = $1 ORDER BY seq", connection);
#pragma warning restore CA2100
            await using (command.ConfigureAwait(false))
            {
                command.Parameters.Add(new NpgsqlParameter { Value = name["postgres:".Length..] });
                try
                {
                    using var wav = new MemoryStream();
                    var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                    await using (reader.ConfigureAwait(false))
                    {
                        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                        {
                            var chunk = (byte[])reader.GetValue(0);
                            wav.Write(chunk);
                        }
                    }

                    if (wav.Length == 0)
                    {
                        return null;
                    }

                    var bytes = wav.ToArray();
                    SetSizes(bytes);
                    return new RecordingContent(null, bytes);
                }
                catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.UndefinedTable)
                {
                    return null;
                }
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _dataSource.DisposeAsync().ConfigureAwait(false);
        _created.Dispose();
    }

    /// <summary>Appends one chunk (the recording's writer task; chunks of one recording never race).</summary>
    internal async Task AppendAsync(string name, int seq, ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            if (!_exists)
            {
                await CreateTableAsync(connection, cancellationToken).ConfigureAwait(false);
            }

#pragma warning disable CA2100 // The table is the validated Audit:RecordingTable identifier; the values are parameters.
            var command = new NpgsqlCommand($"INSERT INTO {_table} (name, seq, data) VALUES ($1, $2, $3) ON CONFLICT (name, seq) DO NOTHING", connection);
#pragma warning restore CA2100
            await using (command.ConfigureAwait(false))
            {
                command.Parameters.Add(new NpgsqlParameter { Value = name });
                command.Parameters.Add(new NpgsqlParameter { Value = seq });
                command.Parameters.Add(new NpgsqlParameter<ReadOnlyMemory<byte>> { TypedValue = data, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Bytea });
                await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private async Task CreateTableAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        await _created.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_exists)
            {
                return;
            }

#pragma warning disable CA2100 // Fixed text and the validated Audit:RecordingTable identifier.
            var command = new NpgsqlCommand($"CREATE TABLE IF NOT EXISTS {_table} (name text NOT NULL, seq integer NOT NULL, data bytea NOT NULL, PRIMARY KEY (name, seq))", connection);
#pragma warning restore CA2100
            await using (command.ConfigureAwait(false))
            {
                await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            _exists = true;
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.UniqueViolation)
        {
            // Two instances created it at once (CREATE TABLE IF NOT EXISTS races on the catalog): it exists.
            _exists = true;
        }
        finally
        {
            _created.Release();
        }
    }

    // The RIFF size and the data chunk's size of a WAV whose header said "unknown" (RIFF/WAVE layout: chunks of
    // id, little-endian size, body padded to even length).
    internal static void SetSizes(byte[] wav)
    {
        if (wav.Length < 12 || !wav.AsSpan(0, 4).SequenceEqual("RIFF"u8) || !wav.AsSpan(8, 4).SequenceEqual("WAVE"u8))
        {
            return;
        }

        BinaryPrimitives.WriteUInt32LittleEndian(wav.AsSpan(4), (uint)(wav.Length - 8));
        var at = 12;
        while (at + 8 <= wav.Length)
        {
            if (wav.AsSpan(at, 4).SequenceEqual("data"u8))
            {
                BinaryPrimitives.WriteUInt32LittleEndian(wav.AsSpan(at + 4), (uint)(wav.Length - at - 8));
                return;
            }

            var size = BinaryPrimitives.ReadUInt32LittleEndian(wav.AsSpan(at + 4));
            at += 8 + (int)Math.Min(size + (size & 1), int.MaxValue - 16);
        }
    }
}
