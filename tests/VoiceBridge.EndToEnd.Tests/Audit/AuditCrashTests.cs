extern alias cli;

using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using cli::VoiceBridge.Cli.Audit;
using cli::VoiceBridge.Cli.Call;
using cli::VoiceBridge.Cli.Simulator;
using VoiceBridge.Audio;
using VoiceBridge.Realtime.Audit;
using VoiceBridge.Realtime.Simulator;

namespace VoiceBridge.EndToEnd.Tests.Audit;

/// <summary>
/// The durability bar: the real server process killed with SIGKILL in the middle of live calls; after a restart every
/// trail verifies, nothing an operator could already read is lost, and the interrupted calls are incomplete, not corrupt.
/// </summary>
public sealed class AuditCrashTests : IAsyncDisposable
{
    private const string AdminKey = "crash-test-admin-key-0123456789abcdef";
    private const string AuthToken = "crash-test-auth-token";
    private const int Calls = 3;

    private readonly string _directory = Directory.CreateTempSubdirectory("voicebridge-crash-").FullName;
    private readonly SimulatorServer _simulator = new(new SimulatorOptions(), TimeProvider.System);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ServerKilledMidCall_EveryTrailVerifies_NothingReadableIsLost_InterruptedCallsAreIncomplete()
    {
        await _simulator.StartAsync(Ct);
        var auditDirectory = Path.Combine(_directory, "audit");
        var environment = new Dictionary<string, string>
        {
            ["Audit__Directory"] = auditDirectory,
            ["Audit__AdminKeys__0"] = AdminKey,
            ["Audit__FlushIntervalMs"] = "50",
            ["Twilio__AuthToken"] = AuthToken,
            ["Upstream__Endpoint"] = _simulator.Uri.AbsoluteUri,
        };

        using var http = new HttpClient();
        using var hangUp = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var seen = new Dictionary<string, byte[]>();
        var calls = new List<FakeTwilioCall>();
        var running = new List<Task>();
        using (var server = await ServerProcess.StartAsync(environment, _directory))
        {
            using var admin = AdminClient(server.BaseUri);
            for (var i = 0; i < Calls; i++)
            {
                var call = new FakeTwilioCall(new FakeTwilioCallOptions
                {
                    ServerUrl = server.BaseUri,
                    AuthToken = AuthToken,
                    CallerAudio = Signals.ToMuLaw(Signals.Tone(300 + (200 * i), seconds: 0.8, silenceAfterSeconds: 0.2)),
                    Tail = TimeSpan.FromSeconds(60),
                    RecordHeard = false,
                }, http);
                calls.Add(call);
                running.Add(call.RunAsync(hangUp.Token));
            }

            // Mid-call: each call's echo is streaming. What the admin API serves is what the writer has committed; it is
            // what an operator could have read (and copied) before the crash, so all of it must survive.
            foreach (var call in calls)
            {
                seen[call.CallSid] = await ReadTrailWhenAsync(admin, call.CallSid, trail => Encoding.UTF8.GetString(trail).Contains("\"caller_out\",\"type\":\"media\"", StringComparison.Ordinal));
            }

            await server.KillAsync();
        }

        await hangUp.CancelAsync();
        await Task.WhenAll(running); // cancelled or cut off: outcomes, not exceptions
        foreach (var call in calls)
        {
            call.Dispose();
        }

        // Every file verifies; each interrupted call is incomplete and starts with every byte read before the kill.
        var output = new StringWriter();
        Assert.Equal(0, AuditCommand.Verify(auditDirectory, output, TextWriter.Null));
        var report = output.ToString();
        foreach (var (callSid, before) in seen)
        {
            var file = Directory.GetFiles(auditDirectory, callSid + ".jsonl", SearchOption.AllDirectories).Single();
            var after = await File.ReadAllBytesAsync(file, Ct);
            var verification = AuditVerifier.VerifyFile(file, VoiceBridge.Tests.Shared.TestAuditDirectory.Keys);
            Assert.Equal(AuditFileStatus.Incomplete, verification.Status);
            Assert.True(after.AsSpan().StartsWith(before), $"{callSid}: the trail after the crash does not start with the {before.Length} bytes read before it");
            Assert.True(verification.Records >= AuditVerifier.Verify(before, VoiceBridge.Tests.Shared.TestAuditDirectory.Keys).Records);
            Assert.Contains($"live {file}: {verification.Records} records, no close record", report, StringComparison.Ordinal);
            // The recording is cut off, not unreadable: its header declares no more than is there.
            var wav = WavFile.Read(Directory.GetFiles(auditDirectory, callSid + ".wav", SearchOption.AllDirectories).Single());
            Assert.Equal(2, wav.Format.Channels);
            Figures.Report(string.Create(CultureInfo.InvariantCulture,
                $"audit crash: {callSid[..10]}… {before.Length} bytes readable before SIGKILL, {after.Length} on disk after ({verification.Records} records, torn tail {verification.TornBytes} bytes), recording {wav.Duration.TotalSeconds:F2} s"));
        }

        // A restarted server serves the interrupted trails as they are.
        using (var restarted = await ServerProcess.StartAsync(environment, _directory))
        {
            using var admin = AdminClient(restarted.BaseUri);
            var callSid = seen.Keys.First();
            using var audit = await admin.GetAsync(new Uri($"calls/{callSid}/audit", UriKind.Relative), Ct);
            Assert.Equal(HttpStatusCode.OK, audit.StatusCode);
            Assert.True((await audit.Content.ReadAsByteArrayAsync(Ct)).AsSpan().StartsWith(seen[callSid]));
            using var transcript = await admin.GetAsync(new Uri($"calls/{callSid}/transcript", UriKind.Relative), Ct);
            Assert.Contains("\"trail\":\"incomplete\"", await transcript.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);

            // The real process runs with reflection-based JSON off: the admin API's errors must still be problem details.
            using var unknown = await admin.GetAsync(new Uri("calls/CA00000000000000000000000000000000/audit", UriKind.Relative), Ct);
            Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
            Assert.Equal("application/problem+json", unknown.Content.Headers.ContentType?.MediaType);
            using var anonymous = new HttpClient { BaseAddress = restarted.BaseUri };
            using var refused = await anonymous.GetAsync(new Uri("calls", UriKind.Relative), Ct);
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        }

        // Tampering is caught and named: one changed byte in record 5 of one trail.
        var tampered = Directory.GetFiles(auditDirectory, seen.Keys.Last() + ".jsonl", SearchOption.AllDirectories).Single();
        var bytes = await File.ReadAllBytesAsync(tampered, Ct);
        var line6 = NthLineStart(bytes, 5);
        var ts = bytes.AsSpan(line6).IndexOf("\"ts\":\""u8) + line6 + 8;
        bytes[ts] = bytes[ts] == (byte)'1' ? (byte)'2' : (byte)'1';
        await File.WriteAllBytesAsync(tampered, bytes, Ct);
        var tamperedOutput = new StringWriter();
        Assert.Equal(1, AuditCommand.Verify(auditDirectory, tamperedOutput, TextWriter.Null));
        Assert.Contains($"BROKEN {tampered}: record 5 (line 6): its hash does not match its content", tamperedOutput.ToString(), StringComparison.Ordinal);
    }

    public async ValueTask DisposeAsync()
    {
        await _simulator.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    private static HttpClient AdminClient(Uri baseUri)
    {
        var client = new HttpClient { BaseAddress = baseUri };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", AdminKey);
        return client;
    }

    // Another process's state: polled through its API (there is no in-process signal to await), bounded.
    private static async Task<byte[]> ReadTrailWhenAsync(HttpClient admin, string callSid, Func<byte[], bool> condition)
    {
        for (var attempt = 0; attempt < 400; attempt++)
        {
            using var response = await admin.GetAsync(new Uri($"calls/{callSid}/audit", UriKind.Relative), Ct);
            if (response.StatusCode == HttpStatusCode.OK)
            {
                var trail = await response.Content.ReadAsByteArrayAsync(Ct);
                if (condition(trail))
                {
                    return trail;
                }
            }

            await Task.Delay(25, Ct);
        }

        throw new TimeoutException($"call {callSid}: the trail never showed the assistant's audio");
    }

    private static int NthLineStart(byte[] bytes, int lines)
    {
        var position = 0;
        for (var i = 0; i < lines; i++)
        {
            position = Array.IndexOf(bytes, (byte)'\n', position) + 1;
        }

        return position;
    }
}
