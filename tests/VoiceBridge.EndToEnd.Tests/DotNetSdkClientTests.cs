using System.ClientModel;
using System.Globalization;
using OpenAI;
using OpenAI.Realtime;

namespace VoiceBridge.EndToEnd.Tests;

/// <summary>
/// The OpenAI .NET SDK's realtime client against the real bridge, configured by its endpoint only
/// (<see cref="OpenAIClientOptions.Endpoint"/> = the bridge's /v1): mint a client secret with the bridge key, open
/// /v1/realtime with it, speak one utterance, hear the simulator's echo and both transcripts.
/// </summary>
[Collection(ExternalClients.Name)]
public sealed class DotNetSdkClientTests
{
    private const string BridgeKey = "e2e-bridge-key";

    [Fact]
#pragma warning disable OPENAI002 // The SDK marks its whole realtime surface experimental (OpenAI 2.15.0); this test is about exactly that surface.
    public async Task OpenAIDotNetSdk_CompletesASpokenTurn_ThroughTheBridge_ByEndpointOnly()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var bridge = await BridgeUnderTest.StartAsync(settings: ("Browser:ApiKeys:0", BridgeKey));
        var options = new OpenAIClientOptions { Endpoint = new Uri(bridge.BaseUri, "v1") };
        var realtime = new OpenAIClient(new ApiKeyCredential(BridgeKey), options).GetRealtimeClient();

        var secret = await realtime.CreateRealtimeClientSecretAsync(new CreateClientSecretOptions(), ct);
        using var session = await realtime.StartConversationSessionAsync("gpt-realtime", new RealtimeSessionClientOptions { ClientSecret = secret.Value.Value }, ct);
        await session.ConfigureConversationSessionAsync(
            new RealtimeConversationSessionOptions
            {
                AudioOptions = new RealtimeConversationSessionAudioOptions
                {
                    InputAudioOptions = new RealtimeConversationSessionInputAudioOptions
                    {
                        AudioTranscriptionOptions = new RealtimeAudioTranscriptionOptions { Model = "gpt-4o-mini-transcribe" },
                    },
                },
            },
            ct);
        var speech = SpeechFiles.Pcm16(Signals.Voice(seconds: 1.2, silenceAfterSeconds: 0.8, rate: 24000));
        for (var offset = 0; offset < speech.Length; offset += 4800)
        {
            await session.SendInputAudioAsync(BinaryData.FromBytes(speech.AsMemory(offset, Math.Min(4800, speech.Length - offset))), ct);
        }

        var audioBytes = 0;
        string? userTranscript = null, assistantTranscript = null;
        var speechStarted = false;
        RealtimeResponseStatus? status = null;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(20));
        await foreach (var update in session.ReceiveUpdatesAsync(timeout.Token))
        {
            switch (update)
            {
                case RealtimeServerUpdateInputAudioBufferSpeechStarted:
                    speechStarted = true;
                    break;
                case RealtimeServerUpdateConversationItemInputAudioTranscriptionCompleted transcribed:
                    userTranscript = transcribed.Transcript;
                    break;
                case RealtimeServerUpdateResponseOutputAudioDelta delta:
                    audioBytes += delta.Delta.ToMemory().Length;
                    break;
                case RealtimeServerUpdateResponseOutputAudioTranscriptDone transcript:
                    assistantTranscript = transcript.Transcript;
                    break;
                case RealtimeServerUpdateError error:
                    Assert.Fail($"error event: {error.Error.Code} {error.Error.Message}");
                    break;
                case RealtimeServerUpdateResponseDone done:
                    status = done.Response.Status;
                    break;
            }

            if (status is not null)
            {
                break;
            }
        }

        Figures.Report(string.Create(CultureInfo.InvariantCulture,
            $"OpenAI .NET SDK 2.15.0 via the bridge: {audioBytes / 48.0:F0} ms of reply audio, user transcript \"{userTranscript}\", assistant transcript \"{assistantTranscript}\""));
        Assert.True(speechStarted);
        Assert.Equal(RealtimeResponseStatus.Completed, status);
        // The simulator echoes the utterance: about the 1.2 s spoken, so at least 1 s of 24 kHz PCM16 comes back.
        Assert.True(audioBytes >= 48_000, $"{audioBytes} bytes of reply audio");
        Assert.StartsWith("[audio ", userTranscript, StringComparison.Ordinal);
        Assert.StartsWith("[echo ", assistantTranscript, StringComparison.Ordinal);
        Assert.StartsWith("ek_", secret.Value.Value, StringComparison.Ordinal);
    }
#pragma warning restore OPENAI002
}
