# CPU image. Build: docker build -t mlserving .   Run: docker run -p 8080:8080 mlserving
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
# Restore first, from the project files only, so this layer is reused until a dependency changes.
COPY global.json Directory.Build.props Directory.Packages.props .editorconfig ./
COPY src/MlServing.Inference/MlServing.Inference.csproj src/MlServing.Inference/
COPY src/MlServing.Protocol/MlServing.Protocol.csproj src/MlServing.Protocol/
COPY src/MlServing.Api/MlServing.Api.csproj src/MlServing.Api/
RUN dotnet restore src/MlServing.Api/MlServing.Api.csproj
COPY src/ src/
COPY models/ models/
COPY docker/publish.sh docker/
RUN docker/publish.sh /app

FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS runtime
WORKDIR /app
COPY --from=build /app ./
# The sample repository; mount a volume over /models to serve your own.
COPY models/ /models/
ENV ASPNETCORE_HTTP_PORTS=8080 \
    MlServing__ModelRepository__Path=/models \
    Logging__Json=true
# HTTP (REST) and gRPC (h2c, MlServing:Grpc:Port).
EXPOSE 8080 8081
USER $APP_UID
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
  CMD ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/8080 && printf 'GET /health/live HTTP/1.1\\r\\nHost: localhost\\r\\nConnection: close\\r\\n\\r\\n' >&3 && grep -q ' 200 ' <&3"]
ENTRYPOINT ["dotnet", "MlServing.Api.dll"]
