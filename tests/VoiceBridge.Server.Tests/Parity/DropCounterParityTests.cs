using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using VoiceBridge.Server.Audit;
using VoiceBridge.Server.Core;
using VoiceBridge.Server.Tests.Audit;
using VoiceBridge.Server.Tests.Sessions;

namespace VoiceBridge.Server.Tests.Parity;

/// <summary>
/// The same refused input counts the same on every transport: in the call's counters (what <c>GET /calls</c> and the
/// metrics read) and in the audit trail's <c>bridge.drop</c> summaries, under the same reason names.
/// </summary>
public sealed class DropCounterParityTests
{
    [Theory]
    [MemberData(nameof(ParityCall.Transports), MemberType = typeof(ParityCall))]
    public async Task RefusedInput_IsCountedAndAuditedUnderTheSameReasons_OnEveryTransport(string transport)
    {
        await using var pipeline = new AuditPipeline();
        await pipeline.StartAsync();
        pipeline.Options.Record = false;
        var recorder = new CallRecorder(pipeline.Trail, pipeline.Options, TimeProvider.System, NullLogger.Instance, transport, "pcm24k");
        string callId;
        CallCounters counters;
        await using (var call = await ParityCall.CreateAsync(transport, audit: recorder))
        {
            await call.SettledAsync();
            for (var i = 0; i < 3; i++)
            {
                await call.SendMalformedJsonAsync();
            }

            await call.SendBinaryAsync();
            await call.SendBinaryAsync();
            await call.SendUnknownEventAsync();

            // Valid JSON naming no event at all: an event the bridge does not know, not malformed JSON.
            await call.SendTextAsync("""{"foo":1}""");
            await call.SyncCallerLoopAsync();
            callId = call.CallId;
            counters = call.Session.Counters;
            call.Session.Stop(CallEndReason.EndedByBridge, "test over");
            Assert.Equal(CallEndReason.EndedByBridge, await call.EndAsync());
        }

        Assert.Equal(3, counters[CallDrop.MalformedJson]);
        Assert.Equal(2, counters[CallDrop.BinaryFrame]);
        Assert.Equal(2, counters[CallDrop.UnexpectedEvent]);
        var drops = TwilioFloodTests.ReadTrail(pipeline.FileOf(callId))
            .Where(r => TwilioFloodTests.Type(r) == CallRecorder.DropType)
            .GroupBy(r => TwilioFloodTests.Reason(r)!)
            .ToDictionary(g => g.Key, g => (Count: g.Sum(r => Event(r).GetProperty("count").GetInt64()), Bytes: g.Sum(r => Event(r).GetProperty("bytes").GetInt64())));
        // The same bytes were sent on both transports for these two: the same byte counts.
        Assert.Equal((3, 3 * "{not json".Length), drops["malformed_json"]);
        Assert.Equal((2, 6), drops["binary_frame"]);
        Assert.Equal(2, drops["unexpected_event"].Count);
    }

    private static JsonElement Event(JsonElement record) => record.GetProperty("event");
}
