using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Runtype.Domain.ApiKeys;
using Runtype.Domain.Sessions;

namespace Runtype.Infrastructure.Persistence.Configurations;

internal sealed class ApiKeyConfiguration : IEntityTypeConfiguration<ApiKey>
{
    public void Configure(EntityTypeBuilder<ApiKey> builder)
    {
        builder.ToTable("api_keys");
        builder.HasKey(k => k.Id);
        builder.Property(k => k.Id).HasMaxLength(ApiKey.IdLength).IsUnicode(false).IsFixedLength().ValueGeneratedNever();
        builder.Property(k => k.UserId).HasMaxLength(SessionLimits.OwnerIdLength).IsRequired();
        builder.Property(k => k.OrganizationId).HasMaxLength(SessionLimits.OwnerIdLength);
        builder.Property(k => k.Name).HasMaxLength(ApiKey.NameLength).IsRequired();
        builder.Property(k => k.Scopes).HasMaxLength(ApiKey.ScopesLength).IsUnicode(false).IsRequired();
        builder.Property(k => k.SecretHash).HasMaxLength(32).IsFixedLength().IsRequired();
        builder.Ignore(k => k.IsRevoked);
        builder.Ignore(k => k.ScopeList);
        builder.HasIndex(k => k.UserId).HasDatabaseName("ix_api_keys_user");
    }
}
