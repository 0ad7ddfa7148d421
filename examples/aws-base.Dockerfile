# The same function on AWS's own base image, with only our extension copied in.
# Replace lambda-nodejs-extension:latest with your copy of the extension image.
FROM public.ecr.aws/lambda/nodejs:22
COPY --from=lambda-nodejs-extension:latest /opt/ /opt/
COPY index.mjs ./
CMD ["index.handler"]
