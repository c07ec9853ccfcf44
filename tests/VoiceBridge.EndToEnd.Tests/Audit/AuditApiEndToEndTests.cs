extern alias cli;

using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using cli::VoiceBridge.Cli.Call;
using Microsoft.Extensions.DependencyInjection;
using VoiceBridge.Audio;
using VoiceBridge.Realtime.Audit;
using VoiceBridge.Server.Core;

namespace VoiceBridge.EndToEnd.Tests.Audit;

/// <summary>
/// A real phone call through the real server (simulator upstream, the CLI's fake Twilio), then its audit, transcript
/// and recording read back through the admin API the way an auditor would.
/// </summary>
public sealed class AuditApiEndToEndTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task PhoneCall_AuditTranscriptAndRecording_ComeBackFromTheAdminApi()
    {
        await using var bridge = await BridgeUnderTest.StartAsync(settings: ("Upstream:TranscriptionModel", "whisper-1"));
        var voice = Signals.Voice(seconds: 1.2, silenceAfterSeconds: 0.3);
        var result = await PlaceCallAsync(bridge, Signals.ToMuLaw(voice), TimeSpan.FromSeconds(2.5));
        Assert.Equal(FakeTwilioCallOutcome.Completed, result.Outcome);
        using var admin = bridge.AdminClient();

        // The trail: as stored, complete, every leg and direction present, no audio inlined.
        using var audit = await admin.GetAsync(new Uri($"calls/{result.CallSid}/audit", UriKind.Relative), Ct);
        Assert.Equal(HttpStatusCode.OK, audit.StatusCode);
        Assert.Equal("application/x-ndjson", audit.Content.Headers.ContentType?.MediaType);
        var trail = await audit.Content.ReadAsByteArrayAsync(Ct);
        var verification = AuditVerifier.Verify(trail, VoiceBridge.Tests.Shared.TestAuditDirectory.Keys);
        Assert.Equal(AuditFileStatus.Complete, verification.Status);
        var records = Encoding.UTF8.GetString(trail).Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(line => JsonDocument.Parse(line).RootElement).ToList();
        string Key(JsonElement r) => r.GetProperty("dir").GetString() + " " + r.GetProperty("type").GetString();
        var kinds = records.Select(Key).ToHashSet();
        foreach (var expected in new[]
        {
            "bridge audit.session", "bridge bridge.policy", "caller_in connected", "caller_in start", "caller_in media", "caller_in mark", "caller_in stop",
            "upstream_out session.update", "upstream_out input_audio_buffer.append", "upstream_in response.output_audio.delta",
            "upstream_in conversation.item.input_audio_transcription.completed", "caller_out media", "caller_out mark", "bridge bridge.end", "bridge audit.close",
        })
        {
            Assert.Contains(expected, kinds);
        }

        Assert.DoesNotContain("\"payload\":\"", Encoding.UTF8.GetString(trail), StringComparison.Ordinal);
        Assert.DoesNotContain("callToken\":\"ey", Encoding.UTF8.GetString(trail), StringComparison.Ordinal);
        var callerMedia = records.Where(r => Key(r) == "caller_in media").Select(r => r.GetProperty("event").GetProperty("media").GetProperty("payload")).ToList();
        Assert.All(callerMedia, payload => Assert.Equal(160, payload.GetProperty("bytes").GetInt32()));
        // Caller frames sit back to back in the recording: 160 samples × 4 bytes (stereo PCM16) apart.
        Assert.Equal(Enumerable.Range(0, callerMedia.Count).Select(i => (long)i * 640), callerMedia.Select(p => p.GetProperty("offset").GetInt64()));

        // The transcript: the caller's words, then the assistant's, as heard.
        using var transcriptResponse = await admin.GetAsync(new Uri($"calls/{result.CallSid}/transcript", UriKind.Relative), Ct);
        Assert.Equal(HttpStatusCode.OK, transcriptResponse.StatusCode);
        using var transcript = JsonDocument.Parse(await transcriptResponse.Content.ReadAsStringAsync(Ct));
        Assert.Equal("complete", transcript.RootElement.GetProperty("trail").GetString());
        var turns = transcript.RootElement.GetProperty("turns").EnumerateArray().Select(t => (Role: t.GetProperty("role").GetString(), Text: t.GetProperty("text").GetString())).ToList();
        Assert.Equal(["caller", "assistant"], turns.Select(t => t.Role));
        Assert.StartsWith("[audio 1.", turns[0].Text, StringComparison.Ordinal);
        Assert.StartsWith("[echo 1.", turns[1].Text, StringComparison.Ordinal);

        // The recording: 8 kHz stereo, the caller's voice on the left while they speak, the echo on the right after.
        using var recordingResponse = await admin.GetAsync(new Uri($"calls/{result.CallSid}/recording", UriKind.Relative), Ct);
        Assert.Equal(HttpStatusCode.OK, recordingResponse.StatusCode);
        Assert.Equal("audio/wav", recordingResponse.Content.Headers.ContentType?.MediaType);
        var wav = WavFile.Read(new MemoryStream(await recordingResponse.Content.ReadAsByteArrayAsync(Ct)));
        Assert.Equal(new WavFormat(8000, 2, WavEncoding.Pcm16), wav.Format);
        var samples = wav.Samples.ToArray();
        var voiceLeft = Rms(samples, 0, 0.2, 1.1);
        var voiceRight = Rms(samples, 1, 0.2, 1.1);
        var replyStart = FirstLoud(samples, 1);
        var replyRight = Rms(samples, 1, replyStart, replyStart + 0.9);
        var replyLeft = Rms(samples, 0, replyStart + 0.1, replyStart + 0.9);
        Figures.Report(string.Create(CultureInfo.InvariantCulture,
            $"audit recording: {wav.Duration.TotalSeconds:F2} s stereo; caller speech L {voiceLeft:F0} / R {voiceRight:F0} RMS; echo from {replyStart:F2} s R {replyRight:F0} / L {replyLeft:F0} RMS; {verification.Records} records"));
        Assert.InRange(wav.Duration.TotalSeconds, 3.5, 4.5);
        Assert.True(voiceLeft > 1000 && voiceRight < 10, $"caller speech: left {voiceLeft}, right {voiceRight}");
        Assert.InRange(replyStart, 1.3, 2.5);
        Assert.True(replyRight > 1000 && replyLeft < 10, $"echo: right {replyRight}, left {replyLeft}");
    }

    [Fact]
    public async Task AdminApi_RefusesBadIdsAndUnknownCalls_AndRequiresTheKey()
    {
        await using var bridge = await BridgeUnderTest.StartAsync();
        using var admin = bridge.AdminClient();
        using var anonymous = new HttpClient { BaseAddress = bridge.BaseUri };

        using var unknown = await admin.GetAsync(new Uri("calls/CA00000000000000000000000000000000/audit", UriKind.Relative), Ct);
        using var traversal = await admin.GetAsync(new Uri("calls/..%2F..%2Fappsettings/transcript", UriKind.Relative), Ct);
        using var dotted = await admin.GetAsync(new Uri("calls/a.b/recording", UriKind.Relative), Ct);
        using var noKey = await anonymous.GetAsync(new Uri("calls/CA00000000000000000000000000000000/audit", UriKind.Relative), Ct);

        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, traversal.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, dotted.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, noKey.StatusCode);
    }

    internal static async Task<(FakeTwilioCallOutcome Outcome, string CallSid)> PlaceCallAsync(BridgeUnderTest bridge, byte[] speech, TimeSpan tail)
    {
        using var http = new HttpClient();
        using var call = new FakeTwilioCall(
            new FakeTwilioCallOptions { ServerUrl = bridge.BaseUri, AuthToken = BridgeUnderTest.AuthToken, CallerAudio = speech, Tail = tail, PlayoutDelay = TimeSpan.FromMilliseconds(200) },
            http);
        var result = await call.RunAsync(Ct).WaitAsync(TimeSpan.FromSeconds(45), Ct);
        // The session leaves the registry only after its trail's close record is durable.
        await bridge.Services.GetRequiredService<CallRegistry>().WhenEmpty.WaitAsync(TimeSpan.FromSeconds(15), Ct);
        return (result.Outcome, call.CallSid);
    }

    private static double Rms(short[] stereo, int channel, double fromSeconds, double toSeconds)
    {
        var from = (int)(fromSeconds * 8000);
        var to = Math.Min((int)(toSeconds * 8000), stereo.Length / 2);
        double sum = 0;
        for (var i = from; i < to; i++)
        {
            double s = stereo[(2 * i) + channel];
            sum += s * s;
        }

        return to > from ? Math.Sqrt(sum / (to - from)) : 0;
    }

    private static double FirstLoud(short[] stereo, int channel)
    {
        for (var i = 0; i < stereo.Length / 2; i++)
        {
            if (Math.Abs((int)stereo[(2 * i) + channel]) > 2000)
            {
                return i / 8000.0;
            }
        }

        return double.NaN;
    }
}
