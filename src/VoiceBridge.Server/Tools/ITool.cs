using System.Text.Json;

namespace VoiceBridge.Server.Tools;

/// <summary>
/// A server-side tool the model may call. Register an implementation in DI (<c>services.AddSingleton&lt;ITool, MyTool&gt;()</c>)
/// next to the ones configured under <c>Tools:Http</c>. The bridge validates the arguments against
/// <see cref="Parameters"/> before <see cref="InvokeAsync"/> runs, off the audio path, and turns whatever it returns
/// (or a timeout) into the <c>function_call_output</c> the model speaks about.
/// </summary>
internal interface ITool
{
    /// <summary>The function name the model calls (<c>^[a-zA-Z0-9_-]{1,64}$</c>).</summary>
    string Name { get; }

    /// <summary>Tells the model when to call it.</summary>
    string Description { get; }

    /// <summary>The JSON Schema of the arguments (an object schema).</summary>
    JsonElement Parameters { get; }

    /// <summary>Runs the tool. Expected failures are a <see cref="ToolResult"/> the model can speak about, not exceptions.</summary>
    ValueTask<ToolResult> InvokeAsync(ToolCall call, CancellationToken cancellationToken);
}
