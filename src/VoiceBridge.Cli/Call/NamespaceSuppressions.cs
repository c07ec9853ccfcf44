using System.Diagnostics.CodeAnalysis;

// "Call" is a Visual Basic keyword; this namespace lives in an executable nobody references from VB, and the folder
// name is the feature's name (the `voicebridge call` command).
[assembly: SuppressMessage("Naming", "CA1716:Identifiers should not match keywords", Scope = "namespace", Target = "~N:VoiceBridge.Cli.Call",
    Justification = "Executable, not a library consumed from VB; the namespace names the `call` feature.")]
