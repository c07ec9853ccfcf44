using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using VoiceBridge.Realtime.Audit;
using VoiceBridge.Server.Audit;

namespace VoiceBridge.Server.Tests.Calls;

/// <summary>
/// <c>GET /calls/{id}/transcript</c> for a call whose assistant turn was cut by a barge-in: the answer holds what the
/// caller heard; the words never played come only with <c>?unheard=true</c>, labelled as such.
/// </summary>
public sealed class TranscriptApiTests : IDisposable
{
    private const string AdminKey = "admin-key-for-tests-0123456789abcdef";
    private const string CallSid = "CA00000000000000000000000000000015";
    private const string Generated = "Your order shipped on Monday and arrives Friday.";
    private readonly string _auditDirectory = Directory.CreateTempSubdirectory("voicebridge-transcript-").FullName;
    private readonly WebApplicationFactory<Program> _factory;

    public TranscriptApiTests()
    {
        _factory = new WebApplicationFactory<Program>().WithWebHostBuilder(host => host
            .UseSetting("Audit:Directory", _auditDirectory)
            .UseSetting("Audit:AdminKeys:0", AdminKey));
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Transcript_OfACutTurn_HoldsOnlyWhatTheCallerHeard()
    {
        using var client = await ClientWithCutCallAsync();

        var body = await client.GetStringAsync(new Uri($"/calls/{CallSid}/transcript", UriKind.Relative), Ct);

        var turn = Assert.Single(Turns(body));
        Assert.Equal("assistant", turn.GetProperty("role").GetString());
        Assert.Equal("Your order shipped on", turn.GetProperty("text").GetString());
        Assert.Equal(1000, turn.GetProperty("heard_ms").GetInt32());
        Assert.Equal(2000, turn.GetProperty("audio_ms").GetInt32());
        Assert.False(turn.TryGetProperty("never_heard", out _));
        Assert.DoesNotContain("Monday", body, StringComparison.Ordinal);
        Assert.DoesNotContain("Friday", body, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("true")]
    [InlineData("True")]
    public async Task Transcript_WithUnheardTrue_AddsTheRestOfTheCutTurn_LabelledNeverHeard(string flag)
    {
        using var client = await ClientWithCutCallAsync();

        var body = await client.GetStringAsync(new Uri($"/calls/{CallSid}/transcript?unheard={flag}", UriKind.Relative), Ct);

        var turn = Assert.Single(Turns(body));
        Assert.Equal("Your order shipped on", turn.GetProperty("text").GetString());
        Assert.Equal("Monday and arrives Friday.", turn.GetProperty("never_heard").GetString());
    }

    [Fact]
    public async Task Transcript_WithUnheardFalse_IsTheHeardAnswer_AndAnUnreadableFlagIsRefused()
    {
        using var client = await ClientWithCutCallAsync();

        var heard = await client.GetStringAsync(new Uri($"/calls/{CallSid}/transcript", UriKind.Relative), Ct);
        var explicitFalse = await client.GetStringAsync(new Uri($"/calls/{CallSid}/transcript?unheard=false", UriKind.Relative), Ct);
        using var unreadable = await client.GetAsync(new Uri($"/calls/{CallSid}/transcript?unheard=yes", UriKind.Relative), Ct);

        Assert.Equal(heard, explicitFalse);
        Assert.Equal(HttpStatusCode.BadRequest, unreadable.StatusCode);
    }

    public void Dispose()
    {
        _factory.Dispose();
        Directory.Delete(_auditDirectory, recursive: true);
    }

    private static List<JsonElement> Turns(string body)
    {
        using var transcript = JsonDocument.Parse(body);
        return [.. transcript.RootElement.GetProperty("turns").EnumerateArray().Select(t => t.Clone())];
    }

    // A finished call's trail, written by the server's own audit: 2 s of assistant audio and its words, truncated at
    // 1000 ms by a barge-in.
    private async Task<HttpClient> ClientWithCutCallAsync()
    {
        var client = _factory.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", AdminKey);
        var call = _factory.Services.GetRequiredService<IAuditTrail>().Open(CallSid, AuditFormat.TwilioTransport);
        var audio = Convert.ToBase64String(new byte[48_000]);
        Record(call, AuditDirection.UpstreamIn, """{"type":"response.output_item.added","event_id":"e1","response_id":"resp_1","output_index":0,"item":{"id":"item_a1","type":"message","role":"assistant","content":[]}}""");
        for (var i = 0; i < 2; i++)
        {
            call.RecordAudio(AuditDirection.UpstreamIn, "response.output_audio.delta",
                Encoding.UTF8.GetBytes("{\"type\":\"response.output_audio.delta\",\"event_id\":\"e2\",\"response_id\":\"resp_1\",\"item_id\":\"item_a1\",\"output_index\":0,\"content_index\":0,\"delta\":\"" + audio + "\"}"),
                i * 48_000L);
        }

        Record(call, AuditDirection.UpstreamIn, $$$"""{"type":"response.output_audio_transcript.done","event_id":"e3","response_id":"resp_1","item_id":"item_a1","output_index":0,"content_index":0,"transcript":"{{{Generated}}}"}""");
        Record(call, AuditDirection.UpstreamOut, """{"type":"conversation.item.truncate","item_id":"item_a1","content_index":0,"audio_end_ms":1000}""");
        call.Complete("caller_hangup");
        await call.Completion.WaitAsync(TimeSpan.FromSeconds(30), Ct);
        return client;
    }

    private static void Record(CallAudit call, AuditDirection direction, string json)
    {
        using var document = JsonDocument.Parse(json);
        call.Record(direction, document.RootElement.GetProperty("type").GetString()!, Encoding.UTF8.GetBytes(json));
    }
}
