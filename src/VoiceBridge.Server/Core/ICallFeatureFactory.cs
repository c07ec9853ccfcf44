namespace VoiceBridge.Server.Core;

/// <summary>Makes a feature for each call (registered by the feature's folder); null: not for this call.</summary>
internal interface ICallFeatureFactory
{
    ICallFeature? Create(string transport);
}
