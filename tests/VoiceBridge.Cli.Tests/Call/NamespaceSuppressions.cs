using System.Diagnostics.CodeAnalysis;

// "Call" is a Visual Basic keyword; tests mirror the source folder of the `call` feature.
[assembly: SuppressMessage("Naming", "CA1716:Identifiers should not match keywords", Scope = "namespace", Target = "~N:VoiceBridge.Cli.Tests.Call",
    Justification = "Test assembly; the namespace mirrors src/VoiceBridge.Cli/Call.")]
