namespace MobZ.Munit.Simulcast;

/// <summary>What a selector needs to know about a publisher's simulcast layers (index 0 = lowest quality).</summary>
public interface ILayerSource
{
    int LayerCount { get; }

    /// <summary>The layer has received packets recently (the publisher may pause a layer under load).</summary>
    bool IsActive(int layer, long nowMs);

    /// <summary>Measured incoming bitrate of the layer in bits per second (0 when unknown).</summary>
    long Bitrate(int layer, long nowMs);
}
