using System.Text;
using Microsoft.Extensions.Options;
using Npgsql;

namespace VoiceBridge.Server.Audit;

/// <summary>The Postgres sink's trails: the stored lines of a call id in sequence order, exactly as chained.</summary>
internal sealed class PostgresAuditReader(IOptions<AuditOptions> options) : IAuditReader, IAsyncDisposable
{
    private readonly NpgsqlDataSource _dataSource = NpgsqlDataSource.Create(options.Value.ConnectionString!);
    private readonly string _table = options.Value.Table;

    public async Task<byte[]?> ReadTrailAsync(string callId, CancellationToken cancellationToken)
    {
        var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
#pragma warning disable CA2100 // The table is the validated Audit:Table identifier; the call id is a parameter.
            var command = new NpgsqlCommand($"SELECT line FROM {_table} WHERE call_id = $1 ORDER BY seq", connection);
#pragma warning restore CA2100
            await using (command.ConfigureAwait(false))
            {
                command.Parameters.Add(new NpgsqlParameter { Value = callId });
                try
                {
                    var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                    await using (reader.ConfigureAwait(false))
                    {
                        var text = new StringBuilder();
                        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                        {
                            text.Append(reader.GetString(0)).Append('\n');
                        }

                        return text.Length == 0 ? null : Encoding.UTF8.GetBytes(text.ToString());
                    }
                }
                catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.UndefinedTable)
                {
                    // Nothing was ever written on this database.
                    return null;
                }
            }
        }
    }

    public ValueTask DisposeAsync() => _dataSource.DisposeAsync();
}
