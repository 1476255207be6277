using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Runtype.Domain.ApiKeys;

namespace Runtype.Domain.Tests.ApiKeys;

public sealed partial class ApiKeyTests
{
    private static readonly DateTimeOffset Now = new DateTimeOffset(2026, 3, 1, 11, 0, 0, 456, TimeSpan.FromHours(1)).AddTicks(789);

    private static readonly string[] BothScopes = [ApiKeyScopes.SessionsRead, ApiKeyScopes.SessionsWrite];

    [Fact]
    public void Issue_produces_rt_then_16_lowercase_hex_then_the_base64url_of_32_bytes()
    {
        var (key, plainText) = Issue();

        var match = KeyShape().Match(plainText);
        Assert.True(match.Success, plainText);
        Assert.Equal(key.Id, match.Groups["id"].Value);
        var secret = match.Groups["secret"].Value;
        var padded = secret.Replace('-', '+').Replace('_', '/') + "=";
        Assert.Equal(32, Convert.FromBase64String(padded).Length);
    }

    [Fact]
    public void Only_the_sha256_of_the_key_is_kept()
    {
        var (key, plainText) = Issue();
        var secret = plainText[(ApiKey.Prefix.Length + ApiKey.IdLength + 1)..];

        Assert.Equal(SHA256.HashData(Encoding.UTF8.GetBytes(plainText)), key.SecretHash);
        string?[] stored = [key.Id, key.UserId, key.OrganizationId, key.Name, key.Scopes];
        Assert.All(stored, value => Assert.DoesNotContain(secret, value ?? "", StringComparison.Ordinal));
    }

    [Fact]
    public void Every_issued_key_is_different()
    {
        var first = Issue();
        var second = Issue();

        Assert.NotEqual(first.PlainText, second.PlainText);
        Assert.NotEqual(first.Key.Id, second.Key.Id);
        Assert.False(first.Key.Matches(second.PlainText));
    }

    [Fact]
    public void Issue_records_owner_name_scopes_and_a_millisecond_utc_creation_time()
    {
        var (key, _) = ApiKey.Issue("user_1", "org_1", "  CI pipeline  ", [ApiKeyScopes.SessionsWrite, ApiKeyScopes.SessionsRead, ApiKeyScopes.SessionsWrite], Now);

        Assert.Equal("user_1", key.UserId);
        Assert.Equal("org_1", key.OrganizationId);
        Assert.Equal("CI pipeline", key.Name);
        Assert.Equal(["sessions:write", "sessions:read"], key.ScopeList);
        Assert.True(key.HasScope(ApiKeyScopes.SessionsRead));
        Assert.Equal(new DateTime(2026, 3, 1, 10, 0, 0, 456, DateTimeKind.Utc), key.CreatedAt);
        Assert.Equal(DateTimeKind.Utc, key.CreatedAt.Kind);
        Assert.Null(key.LastUsedAt);
        Assert.Null(key.RevokedAt);
        Assert.False(key.IsRevoked);
    }

    [Fact]
    public void A_key_has_only_the_scopes_it_was_given()
    {
        var (key, _) = ApiKey.Issue("user_1", null, null, [ApiKeyScopes.SessionsRead], Now);

        Assert.True(key.HasScope("sessions:read"));
        Assert.False(key.HasScope("sessions:write"));
        Assert.False(key.HasScope("Sessions:Read"));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    public void A_key_without_a_name_is_called_unnamed(string? name)
    {
        var (key, _) = ApiKey.Issue("user_1", null, name, BothScopes, Now);

        Assert.Equal("unnamed", key.Name);
    }

    public static TheoryData<string[]> BadScopes() => new()
    {
        Array.Empty<string>(),
        new[] { "sessions:admin" },
        new[] { ApiKeyScopes.SessionsRead, "bogus" },
        new[] { "SESSIONS:READ" },
        new[] { "" },
    };

    [Theory]
    [MemberData(nameof(BadScopes))]
    public void Unknown_or_missing_scopes_are_refused(string[] scopes)
    {
        Assert.Throws<ArgumentException>(() => ApiKey.Issue("user_1", null, "x", scopes, Now));
    }

    [Theory]
    [InlineData("")]
    [InlineData(" ")]
    public void A_key_needs_an_owner(string userId)
    {
        Assert.Throws<ArgumentException>(() => ApiKey.Issue(userId, null, "x", BothScopes, Now));
    }

    [Fact]
    public void Matches_the_issued_key()
    {
        var (key, plainText) = Issue();

        Assert.True(key.Matches(plainText));
    }

    [Fact]
    public void Does_not_match_any_one_character_change_of_the_key()
    {
        var (key, plainText) = Issue();

        for (var i = 0; i < plainText.Length; i++)
        {
            var changed = plainText.ToCharArray();
            changed[i] = changed[i] == 'a' ? 'b' : 'a';
            Assert.False(key.Matches(new string(changed)), $"a change at index {i} still matches");
        }

        Assert.False(key.Matches(plainText[..^1]));
        Assert.False(key.Matches(plainText + "A"));
        Assert.False(key.Matches(plainText.ToUpperInvariant()));
        Assert.False(key.Matches(""));
    }

    [Fact]
    public void TryReadId_reads_the_id_of_an_issued_key()
    {
        var (key, plainText) = Issue();

        Assert.Equal(key.Id, ApiKey.TryReadId(plainText));
    }

    [Theory]
    [InlineData("rt_0123456789abcdef_x", "0123456789abcdef")]
    [InlineData("rt_ffffffffffffffff_secret-with_underscores", "ffffffffffffffff")]
    public void TryReadId_reads_the_id_of_a_well_shaped_key(string presented, string id)
    {
        Assert.Equal(id, ApiKey.TryReadId(presented));
    }

    [Theory]
    [InlineData("")]
    [InlineData("rt_")]
    [InlineData("rt_0123456789abcdef")]
    [InlineData("rt_0123456789abcdef_")]
    [InlineData("rt_0123456789abcde_xyz")]
    [InlineData("rt_0123456789abcdef0_xyz")]
    [InlineData("rt_0123456789ABCDEF_xyz")]
    [InlineData("rt_0123456789abcdeg_xyz")]
    [InlineData("rt-0123456789abcdef_xyz")]
    [InlineData("RT_0123456789abcdef_xyz")]
    [InlineData("xx_0123456789abcdef_xyz")]
    [InlineData("rt_0123456789abcdef-xyz")]
    [InlineData("rt_01234567 9abcdef_xyz")]
    [InlineData("Bearer rt_0123456789abcdef_xyz")]
    [InlineData("eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ1In0.c2ln")]
    public void TryReadId_refuses_text_that_cannot_be_one_of_our_keys(string presented)
    {
        Assert.Null(ApiKey.TryReadId(presented));
    }

    [Fact]
    public void Revoke_sets_revokedAt_once()
    {
        var (key, plainText) = Issue();

        Assert.True(key.Revoke(Now));
        Assert.True(key.IsRevoked);
        Assert.Equal(new DateTime(2026, 3, 1, 10, 0, 0, 456, DateTimeKind.Utc), key.RevokedAt);

        Assert.False(key.Revoke(Now.AddHours(1)));
        Assert.Equal(new DateTime(2026, 3, 1, 10, 0, 0, 456, DateTimeKind.Utc), key.RevokedAt);
        Assert.True(key.Matches(plainText));
    }

    [Fact]
    public void A_key_never_used_should_record_its_first_use()
    {
        var (key, _) = Issue();

        Assert.True(key.ShouldRecordUse(Now));
    }

    [Theory]
    [InlineData(0, false)]
    [InlineData(1_000, false)]
    [InlineData(59_999, false)]
    [InlineData(60_000, true)]
    [InlineData(3_600_000, true)]
    public void A_use_is_recorded_at_most_once_a_minute(int millisecondsSinceLastUse, bool expected)
    {
        var (key, _) = Issue();
        var lastUsedAt = new DateTime(2026, 3, 1, 10, 30, 0, 0, DateTimeKind.Utc);
        ApiKeyState.SetLastUsedAt(key, lastUsedAt);

        var now = new DateTimeOffset(lastUsedAt).AddMilliseconds(millisecondsSinceLastUse).ToOffset(TimeSpan.FromHours(-5));

        Assert.Equal(expected, key.ShouldRecordUse(now));
    }

    [Fact]
    public void The_scope_names_are_the_four_of_the_contract()
    {
        Assert.Equal(["sessions:read", "sessions:write", "webhooks:read", "webhooks:write"], ApiKeyScopes.All);
        Assert.True(ApiKeyScopes.IsKnown("sessions:write"));
        Assert.True(ApiKeyScopes.IsKnown("webhooks:read"));
        Assert.False(ApiKeyScopes.IsKnown("webhooks:*"));
        Assert.False(ApiKeyScopes.IsKnown("sessions:*"));
    }

    private static (ApiKey Key, string PlainText) Issue() => ApiKey.Issue("user_1", "org_1", "laptop", BothScopes, Now);

    [GeneratedRegex("^rt_(?<id>[0-9a-f]{16})_(?<secret>[A-Za-z0-9_-]{43})$")]
    private static partial Regex KeyShape();
}

/// <summary>Sets what the database holds for a key, as EF Core does when it loads one (the setter is private).</summary>
internal static class ApiKeyState
{
    public static void SetLastUsedAt(ApiKey key, DateTime? lastUsedAt) =>
        typeof(ApiKey).GetProperty(nameof(ApiKey.LastUsedAt))!.SetValue(key, lastUsedAt);
}
