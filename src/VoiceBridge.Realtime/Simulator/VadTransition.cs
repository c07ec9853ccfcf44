namespace VoiceBridge.Realtime.Simulator;

/// <summary>What one VAD window decided.</summary>
internal enum VadTransition
{
    None = 0,
    SpeechStarted,
    SpeechStopped,
}
