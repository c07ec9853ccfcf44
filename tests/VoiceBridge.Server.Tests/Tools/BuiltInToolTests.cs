using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using VoiceBridge.Server.Calls;
using VoiceBridge.Server.Core;
using VoiceBridge.Server.Tests.Sessions;
using VoiceBridge.Server.Tools;

namespace VoiceBridge.Server.Tests.Tools;

/// <summary>
/// end_call and transfer_call: the model's goodbye (or "transferring you") must have been heard — its last mark echoed
/// by Twilio — before the stream closes or the call is redirected.
/// </summary>
[Collection(nameof(PooledBufferAccounting))]
public sealed class BuiltInToolTests
{
    private const string TransferNumber = "+14155550199";
    private static readonly byte[] s_audio = Enumerable.Range(0, 320).Select(i => (byte)(0x80 + (i % 32))).ToArray();

    [Fact]
    public async Task EndCall_ClosesTheStreamOnlyAfterTheGoodbyesMarkIsEchoed()
    {
        await using var call = await StartAsync(ControlServices.Create());

        var output = await CallToolAsync(call, EndCallTool.ToolName);
        Assert.Equal("ending", JsonNode.Parse(output["item"]!["output"]!.GetValue<string>())!["status"]!.GetValue<string>());
        var goodbye = await call.Upstream.NextControlAsync();
        Assert.Equal("response.create", goodbye["type"]!.GetValue<string>());
        Assert.Equal(CallController.GoodbyeTag, goodbye["response"]!["metadata"]!["voicebridge"]!.GetValue<string>());

        var mark = await SpeakGoodbyeAsync(call);
        await call.Upstream.DrainedAsync();

        // The goodbye is generated and sent, but not heard yet: the call is still up.
        Assert.False(call.Run.IsCompleted);
        Assert.Equal("ending", call.Session.State);

        await call.SendMarkAsync(mark);
        Assert.Equal(CallEndReason.EndedByBridge, await call.EndAsync());
    }

    [Fact]
    public async Task TransferCall_RedirectsTheCallWithDialTwiml_AfterTheAnnouncementIsHeard()
    {
        await using var twilio = await LoopbackHttpServer.StartAsync((context, _) =>
            context.Response.WriteAsync("""{"sid":"CAfedcba9876543210fedcba9876543210","status":"in-progress"}"""));
        await using var call = await StartAsync(ControlServices.Create(twilioApi: twilio.BaseAddress, transferNumber: TransferNumber));

        await CallToolAsync(call, TransferCallTool.ToolName);
        await call.Upstream.NextControlAsync();
        var mark = await SpeakGoodbyeAsync(call);
        await call.Upstream.DrainedAsync();
        Assert.Equal(0, twilio.RequestCount);
        Assert.Equal("transferring", call.Session.State);

        await call.SendMarkAsync(mark);

        var request = await twilio.NextAsync();
        Assert.Equal("POST", request.Method);
        Assert.Equal($"/2010-04-01/Accounts/{ControlServices.AccountSid}/Calls/{TwilioCallHarness.CallSid}.json", request.PathAndQuery);
        var basic = AuthenticationHeaderValue.Parse(request.Headers["Authorization"]);
        Assert.Equal("Basic", basic.Scheme);
        Assert.Equal(ControlServices.AccountSid + ":" + ControlServices.AuthToken, Encoding.UTF8.GetString(Convert.FromBase64String(basic.Parameter!)));
        Assert.StartsWith("application/x-www-form-urlencoded", request.Headers["Content-Type"], StringComparison.Ordinal);
        Assert.Contains("<Dial>" + TransferNumber + "</Dial>", request.Form()["Twiml"], StringComparison.Ordinal);

        // Twilio stops the stream once the new TwiML runs
        // (docs/protocols/twilio-media-streams.md#ending-or-transferring-a-call-over-rest).
        await call.SendStopAsync();
        Assert.Equal(CallEndReason.CallerHungUp, await call.EndAsync());
    }

    [Fact]
    public async Task TransferRefusedByTwilio_IsToldToTheModel_AndTheCallGoesOn()
    {
        await using var twilio = await LoopbackHttpServer.StartAsync((context, _) =>
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            return context.Response.WriteAsync("""{"code":21211,"message":"Invalid 'To' Phone Number","status":400}""");
        });
        await using var call = await StartAsync(ControlServices.Create(twilioApi: twilio.BaseAddress, transferNumber: TransferNumber));
        await CallToolAsync(call, TransferCallTool.ToolName);
        await call.Upstream.NextControlAsync();
        var mark = await SpeakGoodbyeAsync(call);

        await call.SendMarkAsync(mark);

        var note = await call.Upstream.NextControlAsync();
        Assert.Equal("conversation.item.create", note["type"]!.GetValue<string>());
        Assert.Contains("transfer failed", note["item"]!["content"]![0]!["text"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal("response.create", (await call.Upstream.NextControlAsync())["type"]!.GetValue<string>());
        Assert.False(call.Run.IsCompleted);
        Assert.Equal("live", call.Session.State);
    }

    private static async Task<TwilioCallHarness> StartAsync(CallControlServices services)
    {
        var call = await TwilioCallHarness.CreateAsync(new SessionPolicy { PassthroughMulaw = true, Tools = services.Tools.Definitions }, control: services);
        await call.SendStartAsync(call.Tokens.Mint(TwilioCallHarness.CallSid, "+14155550100"));
        var update = await call.Upstream.NextAsync();
        Assert.Equal("session.update", update["type"]!.GetValue<string>());
        return call;
    }

    // The model calls the tool (GA shape, as in the fixture); returns the function_call_output the bridge sent.
    private static async Task<JsonNode> CallToolAsync(TwilioCallHarness call, string name)
    {
        var upstream = call.Upstream;
        upstream.PushResponseCreated("resp_tool");
        upstream.Push($$$"""{"type":"response.output_item.added","event_id":"e","response_id":"resp_tool","output_index":0,"item":{"id":"item_fc","type":"function_call","object":"realtime.item","status":"in_progress","name":"{{{name}}}","call_id":"call_1","arguments":""}}""");
        upstream.Push($$$"""{"type":"response.function_call_arguments.done","event_id":"e","response_id":"resp_tool","item_id":"item_fc","output_index":0,"call_id":"call_1","name":"{{{name}}}","arguments":"{}"}""");
        upstream.Push($$$"""{"type":"response.done","event_id":"e","response":{"id":"resp_tool","object":"realtime.response","status":"completed","output":[{"id":"item_fc","type":"function_call","object":"realtime.item","status":"completed","name":"{{{name}}}","call_id":"call_1","arguments":"{}"}]}}""");
        var output = await upstream.NextControlAsync();
        Assert.Equal("conversation.item.create", output["type"]!.GetValue<string>());
        Assert.Equal("call_1", output["item"]!["call_id"]!.GetValue<string>());
        return output;
    }

    // The model's goodbye: one response with 40 ms of audio; returns the mark that follows it at Twilio.
    private static async Task<string> SpeakGoodbyeAsync(TwilioCallHarness call)
    {
        var upstream = call.Upstream;
        upstream.Push("""{"type":"response.created","event_id":"e","response":{"id":"resp_bye","object":"realtime.response","status":"in_progress","output":[],"metadata":{"voicebridge":"goodbye"}}}""");
        upstream.PushAudioDelta("resp_bye", "item_bye", s_audio);
        upstream.Push("""{"type":"response.output_audio.done","event_id":"e","response_id":"resp_bye","item_id":"item_bye","output_index":0,"content_index":0}""");
        upstream.PushResponseDone("resp_bye");
        var (mark, before) = await call.ReceiveUntilAsync("mark");
        Assert.Equal(2, before.Count(m => m["event"]!.GetValue<string>() == "media"));
        return mark["mark"]!["name"]!.GetValue<string>();
    }
}
