using System.Text;
using Microsoft.Extensions.Options;
using Npgsql;
using VoiceBridge.Realtime.Audit;
using VoiceBridge.Server.Audit;

namespace VoiceBridge.Server.Tests.Audit;

public sealed class PostgresAuditSinkTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task CompletedCalls_AreStoredOneRowPerLine_AndTheStoredLinesVerify()
    {
        var connectionString = TestPostgres.ConnectionString();
        var options = new AuditOptions { Sink = AuditSinkKind.Postgres, ConnectionString = connectionString, Table = TestPostgres.NewTable(), FlushIntervalMs = 20 };
        try
        {
            await using (var pipeline = new AuditPipeline(options, store: o => new PostgresAuditStore(o)))
            {
                await pipeline.StartAsync();
                var calls = new[] { "CApg1", "CApg2" }.Select(id => pipeline.Trail.Open(id, AuditFormat.TwilioTransport)).ToList();
                foreach (var call in calls)
                {
                    for (var i = 1; i <= 30; i++)
                    {
                        call.Record(AuditDirection.UpstreamIn, "e", Encoding.UTF8.GetBytes($$"""{"n":{{i}}}"""));
                    }

                    call.RecordAudio(AuditDirection.UpstreamOut, "input_audio_buffer.append", """{"type":"input_audio_buffer.append","audio":"AAAA"}"""u8, 480);
                    call.Complete("caller_hangup");
                }

                await Task.WhenAll(calls.Select(c => c.Completion)).WaitAsync(AuditPipeline.Timeout, Token);
            }

            var rows = await ReadAsync(connectionString, options.Table);
            foreach (var callId in new[] { "CApg1", "CApg2" })
            {
                var trail = rows.Where(r => r.CallId == callId).ToList();
                Assert.Equal(Enumerable.Range(0, 33).Select(i => (long)i), trail.Select(r => r.Seq));
                var content = Encoding.UTF8.GetBytes(string.Concat(trail.Select(r => r.Line + "\n")));
                var verified = AuditVerifier.Verify(content.AsSpan());
                Assert.Equal(AuditFileStatus.Complete, verified.Status);
                Assert.Equal(32, verified.Records);
                Assert.Equal("""{"n":7}""", trail[7].Event);
                Assert.Equal("upstream_in", trail[7].Dir);
                Assert.Equal(trail[6].Hash, trail[7].Prev);
                Assert.Equal("""{"type":"input_audio_buffer.append","audio":{"bytes":3,"offset":480,"sha256":"709e80c88487a2411e1ee4dfb9f22a861492d20c4765150c0c794abd70f8147c"}}""", trail[31].Event);
                Assert.Equal(AuditFormat.CloseType, trail[32].Type);
            }
        }
        finally
        {
            await TestPostgres.DropAsync(connectionString, options.Table);
        }
    }

    [Fact]
    public async Task RetriedCommit_OfLinesAlreadyStored_AddsNothing()
    {
        var connectionString = TestPostgres.ConnectionString();
        var options = Options.Create(new AuditOptions { Sink = AuditSinkKind.Postgres, ConnectionString = connectionString, Table = TestPostgres.NewTable() });
        var header = new AuditHeader("CAretry", AuditFormat.TwilioTransport, DateTimeOffset.UnixEpoch, "nonce-1");
        try
        {
            await using var store = new PostgresAuditStore(options);

            // The same lines twice: what a retry sends when the first commit landed but its acknowledgement was lost.
            Assert.Null(await store.CommitAsync([Trail(header, records: 3)], Token));
            Assert.Null(await store.CommitAsync([Trail(header, records: 5)], Token));

            Assert.Equal(Enumerable.Range(0, 6).Select(i => (long)i), (await ReadAsync(connectionString, options.Value.Table)).Select(r => r.Seq));
        }
        finally
        {
            await TestPostgres.DropAsync(connectionString, options.Value.Table);
        }
    }

    [Fact]
    public async Task AnotherTrailUnderTheSameCallId_IsRefusedNotMerged()
    {
        var connectionString = TestPostgres.ConnectionString();
        var options = Options.Create(new AuditOptions { Sink = AuditSinkKind.Postgres, ConnectionString = connectionString, Table = TestPostgres.NewTable() });
        try
        {
            await using var store = new PostgresAuditStore(options);
            Assert.Null(await store.CommitAsync([Trail(new AuditHeader("CAsame", "twilio", DateTimeOffset.UnixEpoch, "a"), records: 2)], Token));

            var other = Trail(new AuditHeader("CAsame", "twilio", DateTimeOffset.UnixEpoch, "b"), records: 2);
            var failure = await store.CommitAsync([other], Token);

            Assert.Contains("collide", failure, StringComparison.Ordinal);
            Assert.True(other.HasPending);
            Assert.Equal(3, (await ReadAsync(connectionString, options.Value.Table)).Count);
        }
        finally
        {
            await TestPostgres.DropAsync(connectionString, options.Value.Table);
        }
    }

    [Fact]
    public async Task UnreachableServer_IsAFailureValue_AndTheLinesStayPending()
    {
        var options = Options.Create(new AuditOptions { Sink = AuditSinkKind.Postgres, ConnectionString = "Host=127.0.0.1;Port=1;Username=x;Password=y;Timeout=2", Table = "audit_records" });
        await using var store = new PostgresAuditStore(options);
        var call = Trail(new AuditHeader("CAdown", "twilio", DateTimeOffset.UnixEpoch, "n"), records: 1);

        var failure = await store.CommitAsync([call], Token);

        Assert.StartsWith("PostgreSQL: ", failure, StringComparison.Ordinal);
        Assert.True(call.HasPending);
    }

    /// <summary>A call's first lines formatted by the real chain writer, pending for a commit (deterministic for one header).</summary>
    private static AuditCallState Trail(AuditHeader header, int records)
    {
        var trail = new AuditTrail(Options.Create(new AuditOptions()), TimeProvider.System);
        var state = new AuditCallState(trail.Open(header.CallId, header.Transport), header);
        using var chain = new AuditChainWriter();
        state.Append(chain.WriteHeader(header).Span, 0, header.Started, AuditDirection.Bridge, AuditCallState.HeaderType);
        for (var i = 1; i <= records; i++)
        {
            var line = chain.WriteRecord(header.Started.AddSeconds(i), AuditDirection.CallerIn, "e", Encoding.UTF8.GetBytes($$"""{"n":{{i}}}"""));
            state.Append(line.Span, chain.LastSeq, header.Started.AddSeconds(i), AuditDirection.CallerIn, "e");
        }

        return state;
    }

    private static async Task<List<(string CallId, long Seq, string Dir, string Type, string Event, string Prev, string Hash, string Line)>> ReadAsync(string connectionString, string table)
    {
        var rows = new List<(string, long, string, string, string, string, string, string)>();
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(Token);
        await using var command = new NpgsqlCommand($"SELECT call_id, seq, dir, type, event, prev, hash, line FROM {table} ORDER BY call_id, seq", connection);
        await using var reader = await command.ExecuteReaderAsync(Token);
        while (await reader.ReadAsync(Token))
        {
            rows.Add((reader.GetString(0), reader.GetInt64(1), reader.GetString(2), reader.GetString(3), reader.GetString(4), reader.GetString(5), reader.GetString(6), reader.GetString(7)));
        }

        return rows;
    }
}
